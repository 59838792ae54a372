import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, signInWithForm } from '../support/browser';
import { ADMIN } from './global-setup';

const baseURL = inject('baseURL');
const dataDir = inject('dataDir');
const FACES = path.resolve('tests/fixtures/faces');

let browser: BrowserContext;
let page: Page;
let worker: ChildProcess | undefined;

/** Imports the fixture faces (slightly altered, so they are new images) as labeled ground truth. */
async function importLabeledFaces() {
  const shade = 0.7 + Math.random() * 0.2;
  for (const file of readdirSync(FACES).filter((f) => f.endsWith('.jpg'))) {
    for (const flip of [false, true]) {
      let img = sharp(readFileSync(path.join(FACES, file))).modulate({ brightness: shade });
      if (flip) img = img.flop();
      const res = await page.request.post(`${baseURL}/api/imports/utkface`, {
        headers: { 'x-file-name': file.replace(/_(\d{17})\.jpg/, (_m, d) => `_${d.slice(0, 14)}${flip ? '999' : '000'}.jpg`), 'content-type': 'application/octet-stream', origin: baseURL },
        data: await img.jpeg().toBuffer(),
      });
      expect(res.status()).toBeLessThan(300);
    }
  }
}

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('dialog', (d) => void d.accept());
  await signInWithForm(page, baseURL, ADMIN.email, ADMIN.password);
  // The e2e server runs no worker: start one against its data directory for the round.
  worker = spawn(path.resolve('node_modules/.bin/tsx'), ['workers/worker.ts'], {
    env: { ...process.env, FACET_DATA_DIR: dataDir, DATABASE_URL: `file:${path.join(dataDir, 'facet.db')}` },
    stdio: 'ignore',
    detached: true,
  });
});

afterAll(async () => {
  if (worker?.pid) {
    try {
      process.kill(-worker.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await browser?.close();
});

describe('Models page', () => {
  it('starts a round, shows its progress and log, refuses a second one without new labels, promotes and rolls back', async () => {
    await importLabeledFaces();
    await page.getByRole('link', { name: 'Models' }).click();
    await page.waitForURL(/\/models$/);
    await expect.poll(() => page.getByTestId('served-version').textContent()).toMatch(/^r\d+$/);
    const servedBefore = (await page.getByTestId('served-version').textContent())!;
    expect(Number(await page.getByTestId('new-labels').textContent())).toBeGreaterThan(0);

    const newest = page.getByTestId('versions').locator('tbody tr').first();
    const newestBefore = await newest.getAttribute('data-version');
    await page.getByLabel('max epochs').fill('3');
    await page.getByRole('button', { name: 'Start round' }).click();
    const progress = page.getByTestId('round-progress');
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 240_000, interval: 1000 }).toMatch(/SUCCEEDED|FAILED|CANCELLED/);
    if ((await progress.getAttribute('data-status')) !== 'SUCCEEDED') throw new Error(`round ended: ${await progress.textContent()}`);
    await expect.poll(() => page.getByTestId('epoch').textContent()).toMatch(/Epoch \d+\/3/);
    expect(await page.getByTestId('job-log').textContent()).toMatch(/gate: (promote|reject)/);
    await expect.poll(() => newest.getAttribute('data-version')).not.toBe(newestBefore);
    const version = (await newest.getAttribute('data-version'))!;
    expect(version).toMatch(/^r[1-9]\d*$/);
    await expect.poll(() => page.getByTestId('fairness').isVisible()).toBe(true);

    // Nothing labeled since: the next start is refused with the reason.
    await page.getByRole('button', { name: 'Start round' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/No faces were labeled since the last round/);

    // Override (or it was promoted already), then roll back to the version served before.
    if ((await newest.getAttribute('data-status')) !== 'PROMOTED') await newest.getByRole('button', { name: 'Promote anyway' }).click();
    await expect.poll(() => page.getByTestId('served-version').textContent()).toBe(version);
    const active = await (await page.request.get(`${baseURL}/api/models/active?name=agegender`)).json();
    expect(active).toEqual({ name: 'agegender', version, url: `/api/models/files/agegender/${version}` });
    const modelJson = await page.request.get(`${baseURL}${active.url}/model.json`);
    expect(modelJson.headers()['content-type']).toBe('application/json');
    expect(modelJson.headers()['x-content-type-options']).toBe('nosniff');

    const rescores = page.getByTestId('model-jobs').locator('tbody tr', { hasText: 're-score' });
    const rescoresBefore = await rescores.count();
    await page.getByTestId('versions').locator(`tr[data-version="${servedBefore}"]`).getByRole('button', { name: 'Roll back to this' }).click();
    await expect.poll(() => page.getByTestId('served-version').textContent()).toBe(servedBefore);

    // New labels while the worker is idle: its background features job is listed with them. The
    // rollback's re-score must be over first: its design step extracts the features of every labeled
    // face it finds, so labels imported while it runs would leave the features job nothing to do.
    const rescoresLive = () => rescores.evaluateAll((rows) => rows.filter((r) => /QUEUED|RUNNING/.test(r.getAttribute('data-status') ?? '')).length);
    await expect.poll(async () => (await rescores.count()) > rescoresBefore && (await rescoresLive()) === 0, { timeout: 240_000, interval: 1000 }).toBe(true);
    await importLabeledFaces();
    const features = page.getByTestId('model-jobs').locator('tbody tr', { hasText: 'features (background)' }).first();
    await expect.poll(() => features.getAttribute('data-status'), { timeout: 120_000, interval: 1000 }).toBe('SUCCEEDED');
    expect(await features.textContent()).toMatch(/"extracted":\d+/);
  }, 420_000);
});
