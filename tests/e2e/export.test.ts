import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import yauzl from 'yauzl';
import { ZipFile } from 'yazl';
import { parseUtkName } from '@/lib/domain/utkface-name';
import { launchBrowser, signInWithForm } from '../support/browser';
import { stopProcessGroup } from '../support/server';
import { ADMIN } from './global-setup';

const baseURL = inject('baseURL');
const dataDir = inject('dataDir');

let browser: BrowserContext;
let page: Page;
let worker: ChildProcess | undefined;

function startWorker() {
  worker = spawn(path.resolve('node_modules/.bin/tsx'), ['tests/e2e/import-worker.ts', 'EXPORT'], {
    env: { ...process.env, FACET_DATA_DIR: dataDir, DATABASE_URL: '', FACET_JOB_LEASE_MS: '3000' },
    stdio: 'ignore',
    detached: true,
  });
}

async function stopWorker() {
  const w = worker;
  worker = undefined;
  await stopProcessGroup(w);
}

async function zipOf(entries: [string, Buffer][]): Promise<Buffer> {
  const z = new ZipFile();
  for (const [name, data] of entries) z.addBuffer(data, name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const chunk of z.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function entriesOf(buffer: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.readEntry();
    });
  });
}

const newestRow = () => page.getByTestId('exports').locator('tbody tr').first();

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
  await signInWithForm(page, baseURL, ADMIN.email, ADMIN.password);
  // Ground truth to export: three UTKFace-named faces imported through the API into their own dataset.
  const faces: [string, Buffer][] = [];
  for (const [i, name] of ['25_0_2_20170101000000001.jpg.chip.jpg', '61_1_0_20170101000000002.jpg.chip.jpg', '8_1_4_20170101000000003.jpg'].entries()) {
    const data = await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 40 + 60 * i, g: 90, b: 150 }, noise: { type: 'gaussian', mean: 100, sigma: 25 } } })
      .jpeg()
      .toBuffer();
    faces.push([`export-e2e/${name}`, data]);
  }
  const res = await page.request.post(`${baseURL}/api/imports/utkface?dataset=E2E%20Export`, {
    headers: { origin: baseURL, 'x-file-name': 'export-e2e.zip', 'content-type': 'application/octet-stream' },
    data: await zipOf(faces),
  });
  expect(res.status()).toBe(200);
  expect((await res.json()).imported).toBe(3);
});
afterAll(async () => {
  await browser?.close();
  await stopWorker();
});

describe('Exports page', () => {
  it('starts an export that waits for a worker, survives a reload, and ends with a download', async () => {
    await page.goto(`${baseURL}/exports`);
    await page.getByLabel('Dataset').selectOption({ label: 'E2E Export' });
    await page.getByRole('button', { name: 'Start export' }).click();
    await expect.poll(() => newestRow().getAttribute('data-status'), { timeout: 30_000 }).toBe('QUEUED');
    // The same export again is refused while the first is pending.
    await page.getByRole('button', { name: 'Start export' }).click();
    await expect.poll(() => page.getByText('The same export is already running').count(), { timeout: 30_000 }).toBe(1);
    await page.reload();
    await expect.poll(() => newestRow().getAttribute('data-status'), { timeout: 30_000 }).toBe('QUEUED');
    startWorker();
    await expect.poll(() => newestRow().getAttribute('data-status'), { timeout: 90_000 }).toBe('SUCCEEDED');
    expect(await newestRow().textContent()).toContain('3 (3 UTKFace files, 0 manifest only)');
    const [download] = await Promise.all([page.waitForEvent('download'), newestRow().getByRole('link', { name: /Download/ }).click()]);
    const names = await entriesOf(readFileSync(await download.path()));
    expect(names.filter((n) => n.endsWith('.csv') || n.endsWith('.json')).sort()).toEqual(['manifest.csv', 'manifest.json']);
    const labels = names
      .filter((n) => n.endsWith('.jpg'))
      .map((n) => parseUtkName(n))
      .map((p) => (p.ok ? `${p.value.age}/${p.value.gender}/${p.value.race}` : p.reason))
      .sort();
    expect(labels).toEqual(['25/MALE/ASIAN', '61/FEMALE/WHITE', '8/FEMALE/OTHER']);
    await page.screenshot({ path: 'test-results/exports-done.png', fullPage: true });
  });
});
