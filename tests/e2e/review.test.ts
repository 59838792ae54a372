import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ageToBin } from '@/lib/domain/age-bins';
import type { Gender, Race } from '@/lib/domain/labels';
import { launchBrowser, signInWithForm } from '../support/browser';
import { fetchJson, signInCookie } from '../support/http-session';
import { ADMIN } from './global-setup';

const baseURL = inject('baseURL');
const FACES = path.resolve('tests/fixtures/faces');

const CURATOR = { email: 'review-curator@e2e.local', password: 'review-curator-pw', role: 'CURATOR' };
const ANNIE = { email: 'review-annie@e2e.local', password: 'review-annie-pw', role: 'ANNOTATOR', name: 'Annie' };
const BEN = { email: 'review-ben@e2e.local', password: 'review-ben-pw', role: 'ANNOTATOR', name: 'Ben' };

type Seed = { gender: Gender; age: number; race: Race; by: 'annie' | 'ben'; pred: 'agree' | 'gender' | 'age' | null };
/** Six faces on two group photos; labels follow the UTKFace names of the fixture chips when present. */
const SEEDS: Seed[] = [
  { gender: 'MALE', age: 1, race: 'WHITE', by: 'annie', pred: 'agree' },
  { gender: 'FEMALE', age: 1, race: 'ASIAN', by: 'annie', pred: 'gender' },
  { gender: 'FEMALE', age: 24, race: 'WHITE', by: 'annie', pred: 'agree' },
  { gender: 'MALE', age: 26, race: 'BLACK', by: 'annie', pred: 'age' },
  { gender: 'FEMALE', age: 30, race: 'INDIAN', by: 'ben', pred: 'agree' },
  { gender: 'MALE', age: 35, race: 'ASIAN', by: 'ben', pred: null },
];
const UTK_GENDER: Gender[] = ['MALE', 'FEMALE'];
const UTK_RACE: Race[] = ['WHITE', 'BLACK', 'ASIAN', 'INDIAN', 'OTHER'];
const CHIP = 200;
const SLOT = (i: number) => ({ left: 24 + i * 236, top: 36 });

let admin: string;
let annieCookie: string;
let benCookie: string;
const users: Record<'curator' | 'annie' | 'ben', string> = { curator: '', annie: '', ben: '' };
const faceIds: string[] = [];
let browser: BrowserContext;
let page: Page;

const api = <T>(pathname: string, method = 'GET', body?: unknown, cookie = admin, headers: Record<string, string> = {}) =>
  fetchJson<T>(baseURL, pathname, { cookie, method, body, headers });

/** Three face chips side by side on one canvas: a "group photo" whose faces are small parts of it. */
async function groupPhoto(chips: Buffer[], seed: number): Promise<Buffer> {
  return sharp({ create: { width: 24 + 3 * 236, height: 272, channels: 3, background: { r: 60 + seed * 40, g: 70, b: 80 + (Date.now() % 50) } } })
    .composite(chips.map((input, i) => ({ input, ...SLOT(i) })))
    .jpeg({ quality: 88 })
    .toBuffer();
}

async function chips(): Promise<Buffer[]> {
  const files = existsSync(FACES) ? readdirSync(FACES).filter((f) => f.endsWith('.jpg')).sort().slice(0, 6) : [];
  const out: Buffer[] = [];
  for (let i = 0; i < 6; i++) {
    const m = files[i]?.match(/^(\d+)_(\d)_(\d)_/);
    if (files[i] && m) {
      // Follow the fixture's own labels (UTKFace: age_gender_race).
      Object.assign(SEEDS[i], { age: Number(m[1]), gender: UTK_GENDER[Number(m[2])], race: UTK_RACE[Number(m[3])] });
      out.push(await sharp(readFileSync(path.join(FACES, files[i]))).resize(CHIP, CHIP).toBuffer());
    } else {
      out.push(
        await sharp({ create: { width: CHIP, height: CHIP, channels: 3, background: { r: 200, g: 160 - i * 15, b: 130 }, noise: { type: 'gaussian', mean: 128, sigma: 20 } } })
          .jpeg()
          .toBuffer(),
      );
    }
  }
  return out;
}

/** Model predictions, stored through the same API the browser's pre-labeling uses. */
async function predict(imageIds: string[]) {
  for (const [g, imageId] of imageIds.entries()) {
    const faces = SEEDS.slice(g * 3, g * 3 + 3).flatMap((seed, j) => {
      if (!seed.pred) return [];
      const { left, top } = SLOT(j);
      const gender = seed.pred === 'gender' ? (seed.gender === 'MALE' ? 'FEMALE' : 'MALE') : seed.gender;
      const age = seed.age + (seed.pred === 'age' ? 20 : 0.4);
      const bin = ageToBin(Math.min(120, age));
      return [{
        box: { x: left + 45, y: top + 40, w: 110, h: 130 },
        detScore: 0.99,
        pMale: gender === 'MALE' ? 0.9 : 0.1,
        ageProbs: Array.from({ length: 24 }, (_, b) => (b === bin ? 0.9 : 0.1 / 23)),
        age,
      }];
    });
    await api(`/api/images/${imageId}/predictions`, 'POST', { model: 'e2e-model', faces }, admin);
  }
}

// Signed in once the app redirects; no need to wait for the images page to finish loading.
const signIn = (p: Page, email: string, password: string) => signInWithForm(p, baseURL, email, password, { waitUntil: 'commit' });

const grid = () => page.getByTestId('review-grid');
const tiles = () => page.locator('[data-testid="review-grid"] [role="option"]');
const tileOf = (i: number) => page.locator(`[data-face-id="${faceIds[i]}"]`);
const shownIds = async () => (await tiles().count()) ? tiles().evaluateAll((els) => els.map((e) => e.getAttribute('data-face-id'))) : [];
const localDay = (offset = 0) => {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

beforeAll(async () => {
  admin = await signInCookie(baseURL, ADMIN.email, ADMIN.password);
  for (const [key, u] of [['curator', CURATOR], ['annie', ANNIE], ['ben', BEN]] as const) {
    users[key] = (await api<{ user: { id: string } }>('/api/users', 'POST', u)).user.id;
  }
  annieCookie = await signInCookie(baseURL, ANNIE.email, ANNIE.password);
  benCookie = await signInCookie(baseURL, BEN.email, BEN.password);

  const c = await chips();
  const imageIds: string[] = [];
  for (const g of [0, 1]) {
    const bytes = await groupPhoto(c.slice(g * 3, g * 3 + 3), g);
    const up = await api<{ results: { imageId?: string; status: string }[] }>('/api/uploads', 'POST', new Uint8Array(bytes), admin, {
      'x-file-name': encodeURIComponent(`review-group-${g + 1}.jpg`),
      'content-type': 'application/octet-stream',
    });
    imageIds.push(up.results[0].imageId!);
  }
  // One at a time, so labeledAt orders them: the grid shows the newest first.
  for (const [i, s] of SEEDS.entries()) {
    const { left, top } = SLOT(i % 3);
    const created = await api<{ face: { id: string } }>(
      `/api/images/${imageIds[Math.floor(i / 3)]}/faces`,
      'POST',
      { box: { x: left + 45, y: top + 40, w: 110, h: 130 }, gender: s.gender, age: s.age, race: s.race },
      s.by === 'annie' ? annieCookie : benCookie,
    );
    faceIds.push(created.face.id);
    await new Promise((r) => setTimeout(r, 15));
  }
  await predict(imageIds);

  browser = await launchBrowser();
  page = await browser.newPage();
  await signIn(page, CURATOR.email, CURATOR.password);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('review grid in Chromium (curator)', () => {
  it('filters by annotator, kept in the URL across a reload', async () => {
    await page.goto(`${baseURL}/review`);
    await grid().waitFor();
    await page.getByLabel('Annotator').selectOption(users.annie);
    await expect.poll(shownIds).toEqual([faceIds[3], faceIds[2], faceIds[1], faceIds[0]]);
    expect(page.url()).toContain(`annotatorId=${users.annie}`);
    await page.reload();
    await expect.poll(shownIds).toEqual([faceIds[3], faceIds[2], faceIds[1], faceIds[0]]);
    expect(await page.getByLabel('Annotator').inputValue()).toBe(users.annie);
    expect(await page.getByTestId('review-range').textContent()).toContain('1–4 of 4');
  });

  it('shows the human label beside the prediction and marks disagreements', async () => {
    const gender = tileOf(1);
    expect(await gender.getAttribute('class')).toContain('disagrees');
    expect(await gender.locator('.diff').textContent()).toBe(SEEDS[1].gender === 'MALE' ? 'female' : 'male');
    expect(await tileOf(3).locator('.diff').count()).toBe(1);
    expect(await tileOf(2).getAttribute('class')).not.toContain('disagrees');
    expect(await tileOf(2).getByTestId('human-label').textContent()).toContain(String(SEEDS[2].age));
    expect(await tileOf(0).textContent()).toContain('Annie');

    await page.getByText('disagrees with the model').click();
    await expect.poll(shownIds).toEqual([faceIds[3], faceIds[1]]);
    expect(page.url()).toContain('disagreement=true');
    await page.getByText('disagrees with the model').click();
    await expect.poll(() => tiles().count()).toBe(4);

    await page.getByLabel('Labeled to').fill(localDay(-1));
    await expect.poll(() => page.getByTestId('review-empty').textContent()).toContain('No faces match');
    await page.getByLabel('Labeled to').fill('');
    await page.getByLabel('Labeled from').fill(localDay(0));
    await expect.poll(() => tiles().count()).toBe(4);
    await page.getByLabel('Labeled from').fill('');
    await page.getByLabel('Gender').selectOption('FEMALE');
    await expect.poll(async () => (await shownIds()).sort()).toEqual(faceIds.filter((_, i) => i < 4 && SEEDS[i].gender === 'FEMALE').sort());
    await page.getByLabel('Gender').selectOption('');
    await expect.poll(() => tiles().count()).toBe(4);
  });

  it('selects two faces with mouse and keyboard and approves them with A', async () => {
    await tiles().nth(0).click();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    expect(await page.getByTestId('selected-count').textContent()).toBe('2 selected');
    expect(await page.locator('[role="option"][aria-selected="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-face-id')))).toEqual([
      faceIds[3],
      faceIds[2],
    ]);
    await page.keyboard.press('a');
    await expect.poll(() => page.getByTestId('bulk-result').textContent()).toMatch(/2\s*approved/);
    await expect.poll(shownIds).toEqual([faceIds[1], faceIds[0]]);

    // They now appear under REVIEWED.
    await page.getByRole('checkbox', { name: 'reviewed', exact: true }).check();
    await page.getByRole('checkbox', { name: 'labeled', exact: true }).uncheck();
    await expect.poll(shownIds).toEqual([faceIds[3], faceIds[2]]);
    expect(page.url()).toContain('status=REVIEWED');
    expect(await tiles().nth(0).getAttribute('data-status')).toBe('REVIEWED');
    await page.getByRole('checkbox', { name: 'labeled', exact: true }).check();
    await page.getByRole('checkbox', { name: 'reviewed', exact: true }).uncheck();
    await expect.poll(shownIds).toEqual([faceIds[1], faceIds[0]]);
  });

  it('range-selects with Shift-click and selects all on the page', async () => {
    await tiles().nth(0).click();
    await tiles().nth(1).click({ modifiers: ['Shift'] });
    expect(await page.getByTestId('selected-count').textContent()).toBe('2 selected');
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('selected-count').textContent()).toBe('0 selected');
    await page.getByLabel('Select all on page').check();
    expect(await page.getByTestId('selected-count').textContent()).toBe('2 selected');
    await page.getByLabel('Select all on page').uncheck();
    expect(await page.getByTestId('selected-count').textContent()).toBe('0 selected');
    await page.getByLabel('Select all on page').check();
    await page.keyboard.press('Escape'); // the grid's keys work with the checkbox focused
    expect(await page.getByTestId('selected-count').textContent()).toBe('0 selected');
  });

  it('puts faces back when the server fails (optimistic removal rolled back)', async () => {
    await page.route('**/api/review/approve', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'INTERNAL', message: 'Database unavailable' } }) }),
    );
    await tileOf(0).click();
    await page.keyboard.press('a');
    const result = page.getByTestId('bulk-result');
    await expect.poll(() => result.textContent()).toContain('Could not approve 1 face: Database unavailable');
    expect(await result.getAttribute('role')).toBe('alert');
    await expect.poll(shownIds).toEqual([faceIds[1], faceIds[0]]);
    expect(await page.getByTestId('selected-count').textContent()).toBe('1 selected');
    await page.unroute('**/api/review/approve');
    await page.keyboard.press('Escape');
  });

  it('refuses, with its reason, a face someone changed meanwhile', async () => {
    // Annie relabels face 1 after the curator loaded the grid (version 1 → 2).
    await api(`/api/faces/${faceIds[1]}`, 'PATCH', { version: 1, action: 'label', race: 'OTHER' }, annieCookie);
    await tileOf(1).click();
    await page.getByRole('button', { name: /^Approve/ }).click();
    const result = page.getByTestId('bulk-result');
    await expect.poll(() => result.textContent()).toMatch(/0\s*approved.*1 refused/);
    expect(await result.textContent()).toContain('Changed since you loaded it');
    expect(await result.locator('[data-code="STALE_VERSION"]').count()).toBe(1);
    await page.screenshot({ path: 'test-results/review-refused.png' });
    // Rolled back into the grid, at its new version.
    await expect.poll(shownIds).toEqual([faceIds[1], faceIds[0]]);
  });

  it('sends one face back with a note (B)', async () => {
    await tileOf(0).click();
    await page.keyboard.press('b');
    const dialog = page.getByRole('dialog', { name: 'Send back' });
    await dialog.waitFor();
    await dialog.getByLabel('Note').fill('Age looks too low; check the box too');
    await page.screenshot({ path: 'test-results/review-send-back.png' });
    await dialog.getByLabel('Note').press('Enter');
    await expect.poll(() => page.getByTestId('bulk-result').textContent()).toMatch(/1\s*sent back/);
    await expect.poll(shownIds).toEqual([faceIds[1]]);
    const face = await api<{ face: { status: string }; history: { action: string; note: string | null }[] }>(`/api/faces/${faceIds[0]}`);
    expect(face.face.status).toBe('PREDICTED');
    expect(face.history[0]).toMatchObject({ action: 'SEND_BACK', note: 'Age looks too low; check the box too' });
  });

  it('looks like a working tool (screenshot)', async () => {
    await page.goto(`${baseURL}/review?status=LABELED,REVIEWED`);
    await grid().waitFor();
    await tileOf(3).click();
    await tileOf(4).click();
    await page.keyboard.press('ArrowRight');
    // Wait for the crops to load before the picture.
    await expect.poll(() => page.locator('.face-crop img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete))).toBe(true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    expect(overflow).toBe(false);
    await page.screenshot({ path: 'test-results/review.png', fullPage: true });
  });

  it('opens the focused face in the editor with Enter', async () => {
    await tileOf(2).click();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/annotate' && url.searchParams.get('face') === faceIds[2]);
  });
});

describe('access', () => {
  it('sends an annotator from /review to /forbidden', async () => {
    const other = await launchBrowser();
    const p = await other.newPage();
    await signIn(p, ANNIE.email, ANNIE.password);
    await p.goto(`${baseURL}/review`);
    await p.waitForURL(/\/forbidden$/);
    // …but shows them their own progress.
    await p.goto(`${baseURL}/progress`);
    await expect.poll(() => p.getByTestId('me-labeled').locator('.figure-value').textContent()).toBe('3');
    expect(await p.getByTestId('annotators').count()).toBe(0);
    await other.close();
  });
});

describe('progress page', () => {
  type Row = { user: { email: string }; labeled: number; reviewed: number; skipped: number; agreement: { rate: number | null } };
  type Stats = { overall: { labeled: number; skipped: number; remaining: number }; annotators: Row[]; datasets: { dataset: { name: string }; labeled: number; remaining: number }[] };

  it('shows numbers that match the stats API and what happened above', async () => {
    await page.goto(`${baseURL}/progress`);
    const curator = await signInCookie(baseURL, CURATOR.email, CURATOR.password);
    const stats = await api<Stats>('/api/annotate/stats', 'GET', undefined, curator);
    const row = (email: string) => page.locator(`[data-testid="annotators"] tr[data-email="${email}"]`);
    const cell = (email: string, col: string) => row(email).locator(`[data-col="${col}"]`).textContent();
    await row(ANNIE.email).waitFor();

    // Annie labeled 4, one was sent back, two approved; face 1 disagrees on gender, face 3 on age.
    expect(await cell(ANNIE.email, 'labeled')).toBe('3');
    expect(await cell(ANNIE.email, 'reviewed')).toBe('2');
    expect(await cell(ANNIE.email, 'skipped')).toBe('0');
    expect(await cell(ANNIE.email, 'agreement')).toMatch(/^33%\s*1\/3/);
    expect(await cell(BEN.email, 'labeled')).toBe('2');
    expect(await cell(BEN.email, 'agreement')).toMatch(/^100%\s*1\/1/);
    const annie = stats.annotators.find((a) => a.user.email === ANNIE.email)!;
    expect([annie.labeled, annie.reviewed]).toEqual([3, 2]);

    const figure = (id: string) => page.getByTestId(id).locator('.figure-value').textContent();
    expect(await figure('overall-labeled')).toBe(stats.overall.labeled.toLocaleString('en-US'));
    expect(await figure('overall-remaining')).toBe(stats.overall.remaining.toLocaleString('en-US'));
    for (const d of stats.datasets) {
      const tr = page.locator(`[data-testid="datasets"] tr[data-dataset="${d.dataset.name}"]`);
      expect(await tr.locator('[data-col="labeled"]').textContent()).toBe(d.labeled.toLocaleString('en-US'));
      expect(await tr.locator('[data-col="remaining"]').textContent()).toBe(d.remaining.toLocaleString('en-US'));
    }
    expect(await page.getByRole('img', { name: /Saves per hour/ }).count()).toBe(1);
    await page.screenshot({ path: 'test-results/progress.png', fullPage: true });
  });
});
