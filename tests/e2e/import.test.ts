import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ZipFile } from 'yazl';
import { launchBrowser, signInWithForm } from '../support/browser';
import { stopProcessGroup } from '../support/server';
import { ADMIN } from './global-setup';

const baseURL = inject('baseURL');
const dataDir = inject('dataDir');
const FACES = path.resolve('tests/fixtures/faces');

let browser: BrowserContext;
let page: Page;
let worker: ChildProcess | undefined;
let workerLog = '';

/** The worker that runs the import jobs (the test server itself runs none). */
function startWorker() {
  worker = spawn(path.resolve('node_modules/.bin/tsx'), ['tests/e2e/import-worker.ts'], {
    env: { ...process.env, FACET_DATA_DIR: dataDir, DATABASE_URL: '', FACET_JOB_LEASE_MS: '3000' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  worker.stdout?.on('data', (d) => (workerLog += d));
  worker.stderr?.on('data', (d) => (workerLog += d));
}

async function stopWorker() {
  const w = worker;
  worker = undefined;
  await stopProcessGroup(w);
}
let seed = 0;

function face(): Promise<Buffer> {
  seed += 1;
  return sharp({
    create: { width: 200, height: 200, channels: 3, background: { r: (seed * 71) % 256, g: 120, b: 60 }, noise: { type: 'gaussian', mean: 120, sigma: 30 } },
  })
    .jpeg()
    .toBuffer();
}

async function zipFile(entries: [string, Buffer][]): Promise<string> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'facet-import-zip-')), 'utkface.zip');
  const z = new ZipFile();
  for (const [name, data] of entries) z.addBuffer(data, name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const chunk of z.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

/** A count in the newest import's summary. */
async function count(key: string): Promise<string> {
  return (await page.getByTestId('import-job').first().getByTestId(`count-${key}`).locator('td').textContent()) ?? '';
}

const newest = () => page.getByTestId('import-job').first();

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
  await signInWithForm(page, baseURL, ADMIN.email, ADMIN.password);
  await page.goto(`${baseURL}/import`);
});
afterAll(async () => {
  await browser?.close();
  await stopWorker();
});

describe('UTKFace import page', () => {
  it('uploads a zip, which waits for a worker; the import runs in the background and survives a reload', async () => {
    const zip = await zipFile([
      ['UTKFace/a/20_0_2_20170101000000001.jpg.chip.jpg', await face()],
      ['UTKFace/a/b/39_1_20170116174525125.jpg.chip.jpg', await face()],
      ['UTKFace/b/300_0_0_20170101000000002.jpg', await face()],
      ['UTKFace/b/party.jpg', await face()],
    ]);
    await page.getByTestId('dataset-name').fill('E2E UTKFace');
    await page.getByTestId('dry-run').check();
    await page.getByTestId('import-file-input').setInputFiles(zip);
    await page.getByTestId('start-import').click();
    // No worker yet: the job is queued, and stays listed after a reload.
    await expect.poll(() => newest().getAttribute('data-status'), { timeout: 30_000 }).toBe('QUEUED');
    await page.reload();
    await expect.poll(() => newest().getAttribute('data-status'), { timeout: 30_000 }).toBe('QUEUED');
    startWorker();
    await expect.poll(() => newest().getAttribute('data-status'), { timeout: 90_000 }).toBe('SUCCEEDED');
    const summary = newest().getByTestId('import-summary');
    expect(await summary.textContent()).toContain('Dry run');
    expect(await count('imported')).toBe('2');
    expect(await count('rejected')).toBe('1');
    expect(await count('unlabeled')).toBe('1');
    expect(await count('quirks')).toBe('1');
    expect(await newest().getByTestId('details-rejected').textContent()).toContain('age 300 out of range');

    await page.getByTestId('dataset-name').fill('E2E UTKFace');
    await page.getByTestId('dry-run').uncheck();
    await page.getByTestId('import-file-input').setInputFiles(zip);
    await page.getByTestId('start-import').click();
    await expect.poll(async () => (await newest().textContent()) ?? '', { timeout: 90_000 }).toContain('Import finished');
    expect(await count('imported')).toBe('2');
    expect(await count('duplicates')).toBe('0');
    await page.screenshot({ path: 'test-results/import-zip-summary.png', fullPage: true });
  });

  it('imports a folder as one packed zip, with one summary', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-import-folder-'));
    const folder = path.join(dir, 'UTKFace');
    mkdirSync(path.join(folder, 'nested'), { recursive: true });
    const faces = existsSync(FACES) ? readdirSync(FACES).filter((f) => f.includes('.jpg')).slice(0, 3) : [];
    // Re-encoded so the bytes are new: other browser tests upload the same fixture files.
    for (const f of faces) writeFileSync(path.join(folder, f), await sharp(path.join(FACES, f)).jpeg({ quality: 87 }).toBuffer());
    writeFileSync(path.join(folder, 'nested', '55_0_0_20170116232725357jpg.chip.jpg'), await face());
    writeFileSync(path.join(folder, 'nested', '30_2_0_20170101000000000.jpg'), await face());
    await page.getByTestId('import-folder-input').setInputFiles(folder);
    await page.getByTestId('start-import').click();
    // Packed in the browser and uploaded as one zip named after the folder.
    await expect.poll(async () => (await newest().locator('strong').first().textContent()) ?? '', { timeout: 60_000 }).toBe('UTKFace.zip');
    await expect.poll(() => newest().getAttribute('data-status'), { timeout: 90_000 }).toBe('SUCCEEDED');
    expect(await count('rejected')).toBe('1');
    expect(await count('imported')).toBe(String(faces.length + 1));
    expect(await count('quirks')).toBe('1');
    const summary = newest().getByTestId('import-summary');
    expect(await summary.textContent()).toContain('no dot before jpg');
    expect(await summary.textContent()).toContain('gender 2 is not 0 or 1');
    expect(await summary.textContent()).toContain('nested/30_2_0_20170101000000000.jpg');
  });
});
