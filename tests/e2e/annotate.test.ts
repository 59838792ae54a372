import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInWithForm } from '../support/browser';
import { fetchJson, signInCookie } from '../support/http-session';
import { type RunningServer, startServer } from '../support/server';
import { ADMIN } from './global-setup';

// Its own server: the queue serves the most uncertain faces of the whole library, so faces other
// browser tests pre-label would otherwise be served here in place of the seeded ones.
let server: RunningServer;
let baseURL: string;
const FACES = path.resolve('tests/fixtures/faces');

let admin: string;
let browser: BrowserContext;
let page: Page;
const seeded: string[] = [];
/** The face the box test draws (no prediction); the test after it labels it. */
let drawnId = '';
/** The page's errors and console warnings, shown when a test fails. */
const pageLog: string[] = [];

const api = <T>(pathname: string, method: string, body?: unknown, headers: Record<string, string> = {}, cookie = admin) =>
  fetchJson<T>(baseURL, pathname, { cookie, method, body, headers });

const probs = (bin: number) => Array.from({ length: 24 }, (_, i) => (i === bin ? 0.8 : 0.2 / 23));

/** An image with one predicted face, pre-labeled as the browser would. */
async function seedImage(i: number, bytes: Buffer, pMale: number) {
  const up = await api<{ results: { imageId: string }[] }>('/api/uploads', 'POST', new Uint8Array(bytes), {
    'x-file-name': `annotate-${i}.jpg`,
    'content-type': 'application/octet-stream',
  });
  const imageId = up.results[0].imageId;
  await api(`/api/images/${imageId}/predictions`, 'POST', {
    model: 'e2e-model',
    faces: [{ box: { x: 20, y: 25, w: 150, h: 160 }, detScore: 0.99, pMale, ageProbs: probs(12), age: 26 }],
  });
  return imageId;
}

async function currentFace(p: Page) {
  await p.locator('[data-testid="workspace"][data-busy="false"]').waitFor({ timeout: 20_000 });
  return { id: await p.getByTestId('workspace').getAttribute('data-face-id'), version: Number(await p.getByTestId('workspace').getAttribute('data-version')) };
}

async function waitForNewFace(p: Page, previous: string | null) {
  try {
    await expect.poll(async () => (await p.getByTestId('workspace').count()) && (await p.getByTestId('workspace').getAttribute('data-face-id')), { timeout: 20_000 }).not.toBe(previous);
  } catch (error) {
    // What the annotator would see: says whether a save, a fetch or the keyboard is stuck.
    const seen = await p.evaluate(() => ({
      workspace: document.querySelector('[data-testid="workspace"]')?.getAttribute('data-busy') ?? 'absent',
      saveState: document.querySelector('[data-testid="save-state"]')?.textContent,
      notice: document.querySelector('[data-testid="notice"]')?.textContent ?? null,
      conflict: document.querySelector('[data-testid="conflict"]')?.textContent ?? null,
      recent: [...document.querySelectorAll('[data-testid="recent-saves"] li')].map((li) => li.textContent),
    }));
    throw new Error(`${(error as Error).message}\nworkspace: ${JSON.stringify(seen)}\npage log: ${pageLog.slice(-10).join('\n')}`);
  }
}

beforeAll(async () => {
  server = await startServer({ FACET_ADMIN_EMAIL: ADMIN.email, FACET_ADMIN_PASSWORD: ADMIN.password });
  baseURL = server.url;
  admin = await signInCookie(baseURL, ADMIN.email, ADMIN.password);
  const files = readdirSync(FACES).filter((f) => f.endsWith('.jpg'));
  for (let i = 0; i < 32; i++) {
    const base = readFileSync(path.join(FACES, files[i % files.length]));
    // Distinct bytes per image (the library deduplicates identical uploads).
    const bytes = await sharp(base).resize(200 + i, 200 + i).jpeg({ quality: 90 }).toBuffer();
    seeded.push(await seedImage(i, bytes, i % 2 ? 0.9 : 0.1));
  }
  await api('/api/users', 'POST', { email: 'anne@e2e.local', role: 'ANNOTATOR', password: 'anne-password' });
  await api('/api/users', 'POST', { email: 'bob@e2e.local', role: 'ANNOTATOR', password: 'bob-password' });
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('pageerror', (error) => pageLog.push(`error: ${error.message}`));
  page.on('console', (m) => void (m.type() === 'error' || m.type() === 'warning' ? pageLog.push(`${m.type()}: ${m.text()}`) : undefined));
  await signInWithForm(page, baseURL, 'anne@e2e.local', 'anne-password');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('annotation workspace in Chromium', () => {
  type History = { face: { status: string; labels: { gender: string; age: number } }; history: { action: string; by: { email: string } | null }[] };
  const faceState = (id: string) => api<History>(`/api/faces/${id}`, 'GET');

  it('accepts right predictions with one key each: 10 faces, 10 keystrokes', async () => {
    await page.goto(`${baseURL}/annotate`);
    let keystrokes = 0;
    const labeled: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { id } = await currentFace(page);
      expect(await page.getByTestId('why').textContent()).toMatch(/Queued because: gender uncertain|detector|age|random sample/);
      await page.keyboard.press('Enter');
      keystrokes++;
      labeled.push(id!);
      await waitForNewFace(page, id);
    }
    expect(keystrokes).toBe(10);
    await page.screenshot({ path: 'test-results/annotate.png' });
    const faces = await Promise.all(labeled.map((id) => api<{ face: { status: string; labels: { gender: string; ageBin: number }; prediction: { gender: string } } }>(`/api/faces/${id}`, 'GET')));
    for (const { face } of faces) {
      expect(face.status).toBe('LABELED');
      expect(face.labels.gender).toBe(face.prediction.gender);
      expect(face.labels.ageBin).toBe(12);
    }
  });

  it('corrects gender and age from the keyboard, with undo and redo', async () => {
    const { id } = await currentFace(page);
    await page.keyboard.press('2'); // female
    await page.keyboard.press('3'); // non-binary
    await page.keyboard.press('Control+z');
    expect(await page.getByRole('radio', { name: /female/ }).getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('Control+Shift+z');
    expect(await page.getByRole('radio', { name: /non-binary/ }).getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('a');
    await page.keyboard.type('47');
    await page.keyboard.press('Enter');
    await waitForNewFace(page, id);
    const { face } = await api<{ face: { labels: { gender: string; age: number } } }>(`/api/faces/${id}`, 'GET');
    expect(face.labels).toMatchObject({ gender: 'NONBINARY', age: 47 });
  });

  it('draws, moves, resizes and deletes boxes, storing image pixels', async () => {
    const { id } = await currentFace(page);
    const canvas = page.getByTestId('face-canvas');
    await expect.poll(() => canvas.getAttribute('data-ready')).toBe('true');
    const view = JSON.parse((await canvas.getAttribute('data-view'))!) as { scale: number; x: number; y: number };
    const origin = (await canvas.boundingBox())!;
    const toScreen = (x: number, y: number) => ({ x: origin.x + view.x + x * view.scale, y: origin.y + view.y + y * view.scale });
    const imageId = (await api<{ face: { imageId: string } }>(`/api/faces/${id}`, 'GET')).face.imageId;

    // Draw a new box from image pixel (5,5) to (15,20).
    await page.keyboard.press('n');
    const a = toScreen(5, 5);
    const b = toScreen(15, 20);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await api<{ others: { box: { x: number; y: number; w: number; h: number } }[] }>(`/api/faces/${id}`, 'GET')).others.length, { timeout: 10_000 }).toBe(1);
    const drawnFace = (await api<{ others: { id: string; box: { x: number; y: number; w: number; h: number } }[] }>(`/api/faces/${id}`, 'GET')).others[0];
    drawnId = drawnFace.id;
    const drawn = drawnFace.box;
    expect(drawn.x).toBeCloseTo(5, 0);
    expect(drawn.y).toBeCloseTo(5, 0);
    expect(drawn.w).toBeCloseTo(10, 0);
    expect(drawn.h).toBeCloseTo(15, 0);

    // Move the current box by dragging it 10 image pixels right, then nudge 1 px down with the keyboard.
    const { box: before } = (await api<{ face: { box: { x: number; y: number; w: number; h: number } } }>(`/api/faces/${id}`, 'GET')).face;
    const grab = toScreen(before.x + before.w / 2, before.y + before.h / 2);
    const drop = toScreen(before.x + before.w / 2 + 10, before.y + before.h / 2);
    await page.mouse.move(grab.x, grab.y);
    await page.mouse.down();
    await page.mouse.move(drop.x, drop.y, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.press('ArrowDown'); // box mode is on after a drag: nudges
    // Resize with the bottom-right handle: 20 image pixels wider.
    const handle = toScreen(before.x + 10 + before.w, before.y + 1 + before.h);
    const pulled = toScreen(before.x + 10 + before.w + 20, before.y + 1 + before.h);
    await page.mouse.move(handle.x, handle.y);
    await page.mouse.down();
    await page.mouse.move(pulled.x, pulled.y, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.press('1');
    await page.keyboard.press('Enter');
    await waitForNewFace(page, id);
    const { face } = await api<{ face: { box: { x: number; y: number; w: number; h: number } } }>(`/api/faces/${id}`, 'GET');
    expect(face.box.x).toBeCloseTo(before.x + 10, 0);
    expect(face.box.y).toBeCloseTo(before.y + 1, 0);
    expect(face.box.w).toBeGreaterThan(before.w + 15);
    expect(face.box.h).toBeCloseTo(before.h, 0);

    // Delete the next face (a false detection).
    const next = await currentFace(page);
    await page.keyboard.press('Delete');
    await waitForNewFace(page, next.id);
    const res = await fetch(`${baseURL}/api/faces/${next.id}`, { headers: { cookie: admin } });
    expect(res.status).toBe(404);
    expect(imageId).toBeTruthy();
  });

  it('asks for gender and age before saving a drawn face nobody predicted, without sending it', async () => {
    const patches: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => void (r.method() === 'PATCH' && patches.push(r.url()));
    page.on('request', onRequest);
    try {
      await page.goto(`${baseURL}/annotate?face=${drawnId}`);
      expect((await currentFace(page)).id).toBe(drawnId);
      await page.keyboard.press('Enter');
      expect(await page.getByTestId('save-state').textContent()).toMatch(/no labels yet: give it a gender \(keys 1–4\) and an age/);
      expect((await currentFace(page)).id).toBe(drawnId);
      await page.keyboard.press('2');
      expect(await page.getByTestId('save-state').textContent()).not.toMatch(/no labels yet/); // editing clears the message
      await page.keyboard.press('Enter');
      expect(await page.getByTestId('save-state').textContent()).toMatch(/no age yet: give it an age/);
      await page.keyboard.press('a');
      await page.keyboard.type('30');
      await page.keyboard.press('Enter');
      await waitForNewFace(page, drawnId);
      await expect.poll(async () => (await faceState(drawnId)).face.labels).toMatchObject({ gender: 'FEMALE', age: 30 });
      expect(patches.filter((u) => u.includes(drawnId))).toHaveLength(1);
    } finally {
      page.off('request', onRequest);
    }
  });

  it('never gives two annotators the same face', async () => {
    const second = await launchBrowser();
    try {
      const bob = await second.newPage();
      await signInWithForm(bob, baseURL, 'bob@e2e.local', 'bob-password');
      await bob.goto(`${baseURL}/annotate`);
      await page.reload();
      const [a, b] = await Promise.all([currentFace(page), currentFace(bob)]);
      expect(a.id).toBeTruthy();
      expect(b.id).toBeTruthy();
      expect(a.id).not.toBe(b.id);
    } finally {
      await second.close();
    }
  });

  it('shows a conflicting save, loses nothing, and re-applies on request', async () => {
    const { id, version } = await currentFace(page);
    // Someone else (the admin) labels the same face first.
    await api(`/api/faces/${id}`, 'PATCH', { version, action: 'label', gender: 'MALE', age: 61, requestId: 'adminconflict1' });
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toMatch(/admin@e2e\.local.*MALE.*61/);
    await page.getByTestId('reapply').click();
    await waitForNewFace(page, id);
    const { face, history } = await api<{ face: { labels: { gender: string; age: number } }; history: { by: { email: string } }[] }>(`/api/faces/${id}`, 'GET');
    expect(face.labels.gender).toBe('FEMALE');
    expect(history.map((h) => h.by.email)).toEqual(expect.arrayContaining(['anne@e2e.local', 'admin@e2e.local']));
  });

  it('never shows a face twice when the answer to an abandoned fetch of the next face comes late', async () => {
    const { id, version } = await currentFace(page);
    await api(`/api/faces/${id}`, 'PATCH', { version, action: 'label', gender: 'MALE', age: 40, requestId: 'adminlate1' });
    // The first fetch of the next face reaches the server (which leases a face to anne) but its answer
    // is held back until after the conflict is re-applied; the second fetch then resumes that same
    // face (anne holds its lease), and the held answer arrives late with it.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let fetches = 0;
    await page.route('**/api/annotate/next', async (route) => {
      const response = await route.fetch();
      if (fetches++ === 0) await held;
      await route.fulfill({ response });
    });
    try {
      await page.keyboard.press('2');
      await page.keyboard.press('Enter');
      await page.getByTestId('conflict').waitFor();
      await page.getByTestId('reapply').click();
      await waitForNewFace(page, id);
      const resumed = await currentFace(page);
      release();
      await expect.poll(() => fetches).toBe(2);
      await page.waitForTimeout(300); // the late answer, the face on screen, is in
      await page.keyboard.press('Enter');
      await waitForNewFace(page, resumed.id);
      const after = await currentFace(page);
      await page.keyboard.press('Enter'); // and once more: the late copy never comes back
      await waitForNewFace(page, after.id);
      expect((await currentFace(page)).id).not.toBe(resumed.id);
      expect(await page.getByTestId('conflict').count()).toBe(0);
      expect((await faceState(resumed.id!)).history.filter((h) => h.action === 'ACCEPT' || h.action === 'LABEL')).toHaveLength(1);
    } finally {
      release();
      await page.unroute('**/api/annotate/next');
    }
  });

  it('shows the shortcut overlay with ?', async () => {
    await page.keyboard.press('?');
    expect(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).textContent()).toContain('save and next');
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);
  });

  const checked = (p: Page, name: RegExp) => p.getByRole('radio', { name }).getAttribute('aria-checked');

  it('saves once on key repeat: a held Enter is one save, not several', async () => {
    const { id } = await currentFace(page);
    await page.keyboard.down('Enter');
    await page.keyboard.down('Enter'); // auto-repeat (repeat: true)
    await page.keyboard.down('Enter');
    await page.keyboard.up('Enter');
    await waitForNewFace(page, id);
    const next = await currentFace(page);
    await page.waitForTimeout(500);
    expect((await faceState(id!)).history.filter((h) => h.action === 'ACCEPT' || h.action === 'LABEL')).toHaveLength(1);
    expect((await faceState(next.id!)).face.status).toBe('PREDICTED');
    expect(await currentFace(page)).toEqual(next);
  });

  it('applies keys typed while the next face loads to that face (type-ahead)', async () => {
    const { id: first } = await currentFace(page);
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await page.keyboard.press('1'); // typed before the next face arrives
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await faceState(first!)).face.labels.gender, { timeout: 10_000 }).toBe('FEMALE');
    // Earlier tests' saves are in the list too, so wait for the newest entry to be another face than the first.
    const newest = page.getByTestId('recent-saves').locator('li').first();
    await expect.poll(() => newest.getAttribute('data-face-id'), { timeout: 10_000 }).not.toBe(first);
    const second = await newest.getAttribute('data-face-id');
    await expect.poll(async () => (await faceState(second!)).face.labels.gender, { timeout: 10_000 }).toBe('MALE');
  });

  it('refuses an age of 200 or -1 with a message, and saves nothing until it is fixed', async () => {
    const { id } = await currentFace(page);
    await page.keyboard.press('a');
    await page.keyboard.type('200');
    expect(await page.getByTestId('age-error').textContent()).toMatch(/0 to 120 \(got 200\)/);
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('save-state').textContent()).toMatch(/200 is not possible/);
    await page.getByTestId('age-input').fill('-1');
    expect(await page.getByTestId('age-error').textContent()).toMatch(/got -1/);
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('save-state').textContent()).toMatch(/-1 is not possible/);
    expect((await currentFace(page)).id).toBe(id);
    expect((await faceState(id!)).face.status).toBe('PREDICTED');
    await page.keyboard.press('a');
    await page.keyboard.type('64');
    await page.keyboard.press('Enter');
    await waitForNewFace(page, id);
    await expect.poll(async () => (await faceState(id!)).face.labels.age, { timeout: 10_000 }).toBe(64);
  });

  it('keeps the shortcuts working after mouse edits (focus never stuck in an input)', async () => {
    const { id } = await currentFace(page);
    await page.getByLabel('Race').selectOption('ASIAN');
    await page.keyboard.press('2');
    expect(await checked(page, /female/)).toBe('true');
    await page.getByTestId('age-input').click();
    await page.getByTestId('age-input').fill('33');
    await page.keyboard.press('Escape');
    await page.keyboard.press('1');
    expect(await checked(page, /^1 male/i)).toBe('true');
    await page.getByRole('radio', { name: /non-binary/ }).click();
    await page.keyboard.press('Enter');
    await waitForNewFace(page, id);
    await expect.poll(async () => (await faceState(id!)).face.labels, { timeout: 10_000 }).toMatchObject({ gender: 'NONBINARY', age: 33, race: 'ASIAN' });
  });

  it('zooms with the wheel, pans with Space + drag, fits with 0, hides boxes with H', async () => {
    const { id } = await currentFace(page);
    const canvas = page.getByTestId('face-canvas');
    await expect.poll(() => canvas.getAttribute('data-ready')).toBe('true');
    const viewOf = async () => JSON.parse((await canvas.getAttribute('data-view'))!) as { scale: number; x: number; y: number };
    const fitted = await viewOf();
    const area = (await canvas.boundingBox())!;
    const mid = { x: area.x + area.width / 2, y: area.y + area.height / 2 };
    await page.mouse.move(mid.x, mid.y);
    await page.mouse.wheel(0, -200);
    await expect.poll(async () => (await viewOf()).scale).toBeGreaterThan(fitted.scale * 1.1);
    await page.keyboard.press('0');
    await expect.poll(viewOf).toEqual(fitted);
    // Space + drag over the face box pans the view and leaves the box alone.
    await page.keyboard.down('Space');
    expect(await canvas.getAttribute('data-mode')).toBe('pan');
    await page.mouse.move(mid.x, mid.y);
    await page.mouse.down();
    await page.mouse.move(mid.x + 60, mid.y + 30, { steps: 6 });
    await page.mouse.up();
    await page.keyboard.up('Space');
    await expect.poll(async () => Math.abs((await viewOf()).x - fitted.x - 60)).toBeLessThan(3);
    expect(await page.getByTestId('save-state').textContent()).not.toMatch(/Unsaved/);
    await page.mouse.dblclick(mid.x, mid.y);
    await expect.poll(viewOf).toEqual(fitted);
    await page.keyboard.press('h');
    expect(await canvas.getAttribute('data-boxes')).toBe('hidden');
    await page.keyboard.press('h');
    expect(await canvas.getAttribute('data-boxes')).toBe('shown');
    expect((await currentFace(page)).id).toBe(id);
  });

  it('undoes and redoes box and label edits together (Ctrl+Z / Ctrl+Shift+Z)', async () => {
    const { id } = await currentFace(page);
    const canvas = page.getByTestId('face-canvas');
    const boxOf = async () => JSON.parse((await canvas.getAttribute('data-box'))!) as { x: number; y: number; w: number; h: number };
    const start = await boxOf();
    await page.keyboard.press('b'); // box mode: arrows nudge
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowDown'); // 10 px
    await page.keyboard.press('Escape');
    const race = await page.getByLabel('Race').inputValue();
    await page.keyboard.press('r'); // next race
    expect(await page.getByLabel('Race').inputValue()).not.toBe(race);
    expect(await boxOf()).toMatchObject({ x: start.x + 1, y: start.y + 10 });
    await page.keyboard.press('Control+z'); // the race
    expect(await page.getByLabel('Race').inputValue()).toBe(race);
    await page.keyboard.press('Control+z'); // the 10 px
    expect(await boxOf()).toMatchObject({ x: start.x + 1, y: start.y });
    await page.keyboard.press('Control+z'); // the 1 px
    expect(await boxOf()).toEqual(start);
    await page.keyboard.press('Control+Shift+z');
    await page.keyboard.press('Control+Shift+z');
    expect(await boxOf()).toMatchObject({ x: start.x + 1, y: start.y + 10 });
    await page.keyboard.press('Enter');
    await waitForNewFace(page, id);
    await expect.poll(async () => (await api<{ face: { box: { x: number; y: number } } }>(`/api/faces/${id}`, 'GET')).face.box, { timeout: 10_000 }).toMatchObject({
      x: start.x + 1,
      y: start.y + 10,
    });
  });

  it('rolls a refused save back: the face returns with the change and the error, then saves', async () => {
    const { id } = await currentFace(page);
    await page.route(`**/api/faces/${id}`, (route) =>
      route.request().method() === 'PATCH'
        ? route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { code: 'INJECTED', message: 'Injected refusal.' } }) })
        : route.continue(),
    );
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 10_000 }).toMatch(/Injected refusal\. Your change is back here/);
    expect((await currentFace(page)).id).toBe(id);
    expect(await checked(page, /female/)).toBe('true');
    expect(await page.locator(`[data-testid="recent-saves"] li[data-face-id="${id}"]`).count()).toBe(0);
    await page.unroute(`**/api/faces/${id}`);
    await page.keyboard.press('Enter');
    await waitForNewFace(page, id);
    await expect.poll(async () => (await faceState(id!)).face.labels.gender, { timeout: 10_000 }).toBe('FEMALE');
    expect(await page.locator(`[data-testid="recent-saves"] li[data-face-id="${id}"]`).getAttribute('data-state')).toBe('saved');
  });

  it('retries a save the server did not get (connection refused), showing it, and saves it once', async () => {
    const { id } = await currentFace(page);
    let refused = 0;
    await page.route(`**/api/faces/${id}`, (route) =>
      route.request().method() === 'PATCH' && refused++ < 2 ? route.abort('connectionrefused') : route.continue(),
    );
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('save-state').first().textContent(), { timeout: 10_000, interval: 100 }).toMatch(/retrying the save/);
    await expect.poll(async () => (await faceState(id!)).face.labels.gender, { timeout: 20_000 }).toBe('FEMALE');
    await page.unroute(`**/api/faces/${id}`);
    expect(refused).toBeGreaterThanOrEqual(3);
    expect((await faceState(id!)).history.filter((h) => h.action === 'LABEL')).toHaveLength(1);
    await expect.poll(() => page.locator(`[data-testid="recent-saves"] li[data-face-id="${id}"]`).getAttribute('data-state')).toBe('saved');
  });

  it('holds saves while the browser is offline, shows it, and sends them when it is back', async () => {
    const { id } = await currentFace(page);
    await page.context().setOffline(true);
    try {
      await page.keyboard.press('2');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('save-state').first().textContent(), { timeout: 10_000 }).toMatch(/Offline: 1 save waits/);
      expect((await faceState(id!)).face.status).toBe('PREDICTED');
    } finally {
      await page.context().setOffline(false);
    }
    await expect.poll(async () => (await faceState(id!)).face.labels.gender, { timeout: 20_000 }).toBe('FEMALE');
    await waitForNewFace(page, id);
    expect((await faceState(id!)).history.filter((h) => h.action === 'LABEL')).toHaveLength(1);
  });

  it('says so when the image is deleted while the face is being labeled, and moves on', async () => {
    const { id } = await currentFace(page);
    const { face } = await api<{ face: { imageId: string } }>(`/api/faces/${id}`, 'GET');
    await api(`/api/images/${face.imageId}`, 'DELETE');
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 10_000 }).toMatch(/no longer exists/);
    expect((await currentFace(page)).id).not.toBe(id);
  });
});
