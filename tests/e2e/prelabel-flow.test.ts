import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signInWithForm } from '../support/browser';
import { fetchJson, signInCookie } from '../support/http-session';
import { ADMIN } from './global-setup';

/**
 * The pre-label flow with the REAL in-browser models: upload photos, "Pre-label N images", see the
 * progress reach the end and the boxes with age/gender labels in the image view; a failed save is
 * listed with a retry; a reload mid-run continues without predicting finished images again.
 */
const baseURL = inject('baseURL');
const FACES = path.resolve('tests/fixtures/faces');
const USER = { email: 'prelabel-annie@e2e.local', password: 'prelabel-annie-pw', role: 'ANNOTATOR' };
const LABEL = /^(Male|Female) \d+% · \d+ y$/;

type Upload = { name: string; mimeType: string; buffer: Buffer };
type Detail = {
  image: { id: string; sourceName: string; prelabelModel: string | null; prelabeledAt: string | null };
  faces: { box: { x: number; y: number; w: number; h: number }; prediction: { model: string; gender: string; genderConf: number; age: number } | null }[];
};

let cookie: string;
let browser: BrowserContext;
let page: Page;
let chips: Buffer[] = [];
const tint = Math.floor(Math.random() * 40);

const api = <T>(pathname: string) => fetchJson<T>(baseURL, pathname, { cookie });

/** A face chip in the middle of a plain "photo", with room around it as a detector expects. */
async function single(chip: Buffer, i: number, set: number): Promise<Upload> {
  const buffer = await sharp({ create: { width: 420, height: 400, channels: 3, background: { r: 90 + tint + set * 30, g: 100 + i * 9, b: 110 } } })
    .composite([{ input: chip, left: 110, top: 100 }])
    .jpeg({ quality: 90 })
    .toBuffer();
  return { name: `prelabel-${set}-${i}.jpg`, mimeType: 'image/jpeg', buffer };
}

/** Three faces side by side: a group photo. */
async function group(parts: Buffer[], set: number): Promise<Upload> {
  const buffer = await sharp({ create: { width: 1000, height: 400, channels: 3, background: { r: 70 + tint, g: 80 + set * 20, b: 90 } } })
    .composite(parts.map((input, i) => ({ input, left: 100 + i * 300, top: 100 })))
    .jpeg({ quality: 90 })
    .toBuffer();
  return { name: `prelabel-group-${set}.jpg`, mimeType: 'image/jpeg', buffer };
}

async function upload(files: Upload[]) {
  await page.getByTestId('file-input').setInputFiles(files);
  const results = page.getByTestId('upload-results');
  for (const f of files) await results.locator('li', { hasText: f.name }).locator('.status.done').waitFor({ timeout: 60_000 });
}

async function idsByName(names: string[]): Promise<Map<string, string>> {
  const list = await api<{ images: { id: string; sourceName: string }[] }>('/api/images?pageSize=200');
  return new Map(list.images.filter((i) => names.includes(i.sourceName)).map((i) => [i.sourceName, i.id]));
}

const runStatus = () => page.getByTestId('prelabel-run').getAttribute('data-status');

async function waitForRunEnd(timeout = 240_000) {
  await page.waitForFunction(() => ['done', 'error', 'cancelled'].includes(document.querySelector('[data-testid="prelabel-run"]')?.getAttribute('data-status') ?? ''), null, {
    timeout,
  });
}

beforeAll(async () => {
  const admin = await signInCookie(baseURL, ADMIN.email, ADMIN.password);
  await fetch(`${baseURL}/api/users`, {
    method: 'POST',
    headers: { cookie: admin, 'content-type': 'application/json', origin: baseURL },
    body: JSON.stringify(USER),
  });
  cookie = await signInCookie(baseURL, USER.email, USER.password);
  const files = existsSync(FACES) ? readdirSync(FACES).filter((f) => f.endsWith('.jpg')).sort() : [];
  if (files.length < 6) throw new Error('tests/fixtures/faces needs its face crops');
  chips = await Promise.all(files.map((f) => sharp(readFileSync(path.join(FACES, f))).resize(200, 200).toBuffer()));
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await signInWithForm(page, baseURL, USER.email, USER.password);
});

afterAll(async () => {
  await browser?.close();
});

describe('pre-label flow in Chromium (real models)', () => {
  it('uploads photos, pre-labels them, lists a failed save with a retry, and shows boxes with labels', async () => {
    const files = [await group(chips.slice(0, 3), 0), ...(await Promise.all(chips.slice(3, 6).map((c, i) => single(c, i, 0))))];
    await upload(files);
    const ids = await idsByName(files.map((f) => f.name));
    expect(ids.size).toBe(4);
    const groupId = ids.get('prelabel-group-0.jpg')!;
    const failing = ids.get('prelabel-0-1.jpg')!;

    // The server refuses one image's save: it must be listed with its reason, not dropped.
    await page.route(`**/api/images/${failing}/predictions`, (route) =>
      route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ error: { code: 'INJECTED', message: 'Injected refusal for the test' } }) }),
    );
    await page.getByRole('button', { name: 'Pre-label 4 uploaded images' }).click();
    await waitForRunEnd();
    expect(await runStatus()).toBe('done');
    await expect.poll(() => page.getByRole('progressbar').last().getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByRole('progressbar').last().getAttribute('aria-label')).toMatch(/^3 of 4 images done · 1 failed/);
    const model = (await page.getByTestId('prelabel-model').textContent())!;
    expect(model).toMatch(/\S/);
    const backend = await page.getByTestId('backend-indicator').getAttribute('data-backend');
    expect(backend).toMatch(/^(wasm|webgl|webgpu|cpu)$/);
    // On a CPU backend with several cores, several workers each analyse an image (prelabel-pool.ts).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    if ((backend === 'wasm' || backend === 'cpu') && cores >= 2) expect(await page.getByTestId('prelabel-workers').textContent()).toContain(`${Math.min(cores, 4)} images at a time`);
    const facesFound = Number(await page.getByTestId('prelabel-faces').textContent());
    expect(facesFound).toBeGreaterThanOrEqual(4);

    const row = page.getByTestId('prelabel-failures').locator(`li[data-image-id="${failing}"]`);
    expect(await row.textContent()).toContain('Injected refusal for the test');
    expect((await api<Detail>(`/api/images/${failing}/faces`)).image.prelabelModel).toBeNull();
    await page.unroute(`**/api/images/${failing}/predictions`);
    await row.getByRole('button', { name: /Retry/ }).click();
    await row.waitFor({ state: 'detached' });
    await page.screenshot({ path: 'test-results/prelabel-panel.png', fullPage: true });
    expect((await api<Detail>(`/api/images/${failing}/faces`)).image.prelabelModel).toBe(model);

    // The group photo's detail view: every face boxed, each with gender, confidence and age.
    const stored = await api<Detail>(`/api/images/${groupId}/faces`);
    expect(stored.image.prelabelModel).toBe(model);
    expect(stored.faces.length).toBeGreaterThanOrEqual(2);
    expect(stored.faces.every((f) => f.prediction?.model === model)).toBe(true);
    await page.goto(`${baseURL}/images/${groupId}`);
    const boxes = page.getByTestId('image-detail').getByTestId('face-box');
    await boxes.first().waitFor();
    expect(await boxes.count()).toBe(stored.faces.length);
    for (const text of await boxes.allTextContents()) expect(text).toMatch(LABEL);
    expect(await page.getByTestId('image-prelabel-model').textContent()).toBe(model);
    // Keyboard: focusing a row of the face table highlights its box.
    await page.getByTestId('face-table').locator('tbody tr').first().focus();
    expect(await page.getByTestId('image-detail').locator('[data-testid="face-box"][data-highlighted]').count()).toBe(1);
    await page.screenshot({ path: 'test-results/prelabel-detail.png', fullPage: true });
  });

  it('after a reload mid-run, continues without predicting finished images again', async () => {
    await page.goto(`${baseURL}/images`);
    const files = await Promise.all([...chips.slice(0, 8)].map((c, i) => single(c, i, 1)));
    await upload(files);
    const ids = [...(await idsByName(files.map((f) => f.name))).values()];
    expect(ids.length).toBe(8);
    // Slow the image downloads so the reload lands mid-run.
    await page.route('**/api/images/*/file', async (route) => {
      await new Promise((r) => setTimeout(r, 900));
      await route.continue();
    });
    await page.getByRole('button', { name: 'Pre-label 8 uploaded images' }).click();
    const done = async () => (await Promise.all(ids.map((id) => api<Detail>(`/api/images/${id}/faces`)))).filter((d) => d.image.prelabeledAt);
    await expect.poll(async () => (await done()).length, { timeout: 120_000, interval: 300 }).toBeGreaterThanOrEqual(2);
    await page.reload();
    const finished = await done();
    expect(finished.length).toBeLessThan(8);

    const resume = page.getByTestId('prelabel-resume');
    await expect.poll(() => resume.textContent(), { timeout: 10_000 }).toMatch(/of 8 images left/);
    await resume.getByRole('button', { name: 'Continue' }).click();
    // Pause holds the run between images; Resume goes on.
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(runStatus, { timeout: 30_000 }).toBe('paused'); // after the image under way is saved
    const heldAt = await page.getByRole('progressbar').last().getAttribute('aria-label');
    await page.waitForTimeout(2500);
    expect(await page.getByRole('progressbar').last().getAttribute('aria-label')).toBe(heldAt);
    await page.unroute('**/api/images/*/file');
    await page.getByRole('button', { name: 'Resume' }).click();
    await waitForRunEnd();
    expect(await runStatus()).toBe('done');
    expect(await page.getByRole('progressbar').last().getAttribute('aria-label')).toMatch(/^8 of 8 images done$/);

    const after = await Promise.all(ids.map((id) => api<Detail>(`/api/images/${id}/faces`)));
    expect(after.every((d) => d.image.prelabelModel && d.image.prelabeledAt)).toBe(true);
    for (const before of finished) {
      expect(after.find((d) => d.image.id === before.image.id)?.image.prelabeledAt).toBe(before.image.prelabeledAt);
    }
    // The run is over: no "Continue" offered after another reload.
    await page.reload();
    await page.getByRole('button', { name: 'Pre-label all images not yet done' }).waitFor();
    expect(await page.getByTestId('prelabel-resume').count()).toBe(0);
  });

  it('a missing model file is a clear error in the panel, and nothing is saved', async () => {
    const broken = await browser.newPage();
    const context = broken.context();
    const missing = (url: URL) => url.pathname.includes('/models/') && /\.(bin|json)$/.test(url.pathname) && !url.pathname.endsWith('registry.json');
    await context.route(missing, (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'gone' }));
    try {
      const prev = page;
      page = broken;
      await page.goto(`${baseURL}/images`);
      const file = await single(chips[8] ?? chips[0], 9, 2);
      await upload([file]);
      const id = (await idsByName([file.name])).get(file.name)!;
      await page.getByRole('button', { name: 'Pre-label 1 uploaded image' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Could not load the face models' });
      await alert.waitFor({ timeout: 60_000 });
      expect(await alert.textContent()).toMatch(/Nothing was pre-labeled or saved/);
      expect(await page.getByTestId('prelabel-run').count()).toBe(0);
      expect((await api<Detail>(`/api/images/${id}/faces`)).image.prelabelModel).toBeNull();
      page = prev;
    } finally {
      await context.unroute(missing);
      await broken.close();
    }
  });
});
