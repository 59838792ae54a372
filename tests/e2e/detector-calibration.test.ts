import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInWithForm } from '../support/browser';
import { fetchJson, signInCookie } from '../support/http-session';
import { type RunningServer, startServer } from '../support/server';
import { ADMIN } from './global-setup';

/**
 * Detector calibration end to end: 20 pre-labeled images whose detections people corrected (one
 * right face labeled, one false positive deleted each), the Models page's Detector figures,
 * "Apply recommended threshold", and a real in-browser pre-label run that keeps faces at it.
 * Its own server: the Uploads dataset then holds only these images.
 */
let server: RunningServer;
let baseURL: string;
let admin: string;
let browser: BrowserContext;
let page: Page;
let model: string;
const FACES = path.resolve('tests/fixtures/faces');
const chips = readdirSync(FACES).filter((f) => f.endsWith('.jpg'));
const probs = Array.from({ length: 24 }, (_, i) => (i === 12 ? 0.8 : 0.2 / 23));

const api = <T>(pathname: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}) =>
  fetchJson<T>(baseURL, pathname, { cookie: admin, method, body, headers });

/** A face chip on a plain background, as a photo. */
async function photo(i: number): Promise<Buffer> {
  return sharp({ create: { width: 420, height: 400, channels: 3, background: { r: 80 + i * 3, g: 100, b: 110 } } })
    .composite([{ input: readFileSync(path.join(FACES, chips[i % chips.length])), left: 110, top: 100 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function upload(i: number, name: string): Promise<string> {
  const up = await api<{ results: { imageId: string }[] }>('/api/uploads', 'POST', new Uint8Array(await photo(i)), { 'x-file-name': name, 'content-type': 'application/octet-stream' });
  return up.results[0].imageId;
}

type Face = { id: string; box: { x: number } };

/** Pre-labeled as the browser would (with the detector record), then corrected: face labeled, false positive deleted. */
async function seed(i: number) {
  const id = await upload(i, `calib-${i}.jpg`);
  await api(`/api/images/${id}/predictions`, 'POST', {
    model,
    faces: [
      { box: { x: 110, y: 100, w: 200, h: 200 }, detScore: 0.92, pMale: 0.8, ageProbs: probs, age: 30 },
      { box: { x: 340, y: 10, w: 60, h: 60 }, detScore: 0.55, pMale: 0.5, ageProbs: probs, age: 30 },
    ],
    detector: { scoreThreshold: 0.5, floor: 0.3 },
    candidates: [{ box: { x: 10, y: 320, w: 60, h: 60 }, detScore: 0.35 }],
  });
  const { faces } = await api<{ faces: Face[] }>(`/api/images/${id}/faces`);
  const [real, wrong] = [...faces].sort((a, b) => a.box.x - b.box.x);
  // Fresh detections are at version 1.
  await api(`/api/faces/${real.id}`, 'PATCH', { version: 1, action: 'label', gender: 'FEMALE', age: 31 });
  await api(`/api/faces/${wrong.id}?version=1`, 'DELETE');
}

beforeAll(async () => {
  server = await startServer({ FACET_ADMIN_EMAIL: ADMIN.email, FACET_ADMIN_PASSWORD: ADMIN.password });
  baseURL = server.url;
  admin = await signInCookie(baseURL, ADMIN.email, ADMIN.password);
  const active = await api<{ name: string; version: string }>('/api/models/active?name=agegender');
  model = `${active.name}/${active.version}`;
  for (let i = 0; i < 20; i++) await seed(i);
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('dialog', (d) => void d.accept());
  await signInWithForm(page, baseURL, ADMIN.email, ADMIN.password);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('detector calibration', () => {
  it('shows the detector against corrected boxes, applies the recommended threshold, and pre-labels at it', async () => {
    await page.goto(`${baseURL}/models`);
    const card = page.locator('[data-testid="detector-dataset"][data-dataset="Uploads"]');
    await card.getByTestId('detector-figures').waitFor({ timeout: 30_000 });
    const text = async (id: string) => (await card.getByTestId(id).textContent())?.trim();
    expect(await text('detector-in-use')).toBe('0.50');
    expect(await text('detector-images')).toBe('20');
    expect(await text('detector-human')).toBe('20');
    expect(await text('detector-detections')).toBe('40');
    expect(await text('detector-fp')).toBe('20');
    expect(await text('detector-misses')).toBe('0');
    expect(await text('detector-precision')).toBe('50.0%');
    expect(await text('detector-recall')).toBe('100.0%');
    expect(await text('detector-f1')).toBe('66.7%');
    expect(await card.locator('figure svg').count()).toBe(1);
    expect(await text('detector-recommended')).toBe('0.60');

    await card.getByRole('button', { name: 'Apply recommended threshold' }).click();
    await expect.poll(() => text('detector-in-use')).toBe('0.60');
    await expect.poll(() => card.getByTestId('detector-recommendation').textContent()).toMatch(/nothing to change/);

    // A new photo in the dataset, pre-labeled by the real models in this browser, at the dataset's threshold.
    await upload(20, 'calib-new.jpg');
    await page.goto(`${baseURL}/images`);
    await page.getByRole('button', { name: 'Pre-label all images not yet done' }).click();
    await page.waitForFunction(() => ['done', 'error', 'cancelled'].includes(document.querySelector('[data-testid="prelabel-run"]')?.getAttribute('data-status') ?? ''), null, { timeout: 240_000 });
    expect(await page.getByTestId('prelabel-run').getAttribute('data-status')).toBe('done');
    expect(await page.getByTestId('prelabel-threshold').textContent()).toBe('0.60');

    await page.goto(`${baseURL}/models`);
    await expect.poll(() => card.getByTestId('detector-prelabeled-at').textContent(), { timeout: 30_000 }).toMatch(/0\.50 \(20 images\), 0\.60 \(1 image\)/);
  });
});
