import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { buildZip } from '../unit/ingest/zip-fixture';
import { ADMIN } from './global-setup';

const baseURL = inject('baseURL');
const FACES = path.resolve('tests/fixtures/faces');

let browser: BrowserContext;
let page: Page;
let uploadDir: string;
let faceCount: number;
let before = 0; // images already in the library (the browser tests share one server)

/** A folder like a user's: real face crops (or generated photos), one fake .jpg, one nested folder. */
async function makeUploadFolder(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-upload-'));
  const folder = path.join(dir, 'party photos');
  mkdirSync(path.join(folder, 'day 2'), { recursive: true });
  const faces = existsSync(FACES) ? readdirSync(FACES).filter((f) => f.endsWith('.jpg')).slice(0, 6) : [];
  faces.forEach((f, i) => copyFileSync(path.join(FACES, f), path.join(folder, i % 2 ? 'day 2' : '', f)));
  for (let i = faces.length; i < 4; i++) {
    const img = await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 40 * i, g: 90, b: 120 }, noise: { type: 'gaussian', mean: 120, sigma: 30 } } }).jpeg().toBuffer();
    writeFileSync(path.join(folder, `generated-${i}.jpg`), img);
  }
  writeFileSync(path.join(folder, 'not-really.jpg'), 'this is a text file pretending to be a photo');
  faceCount = Math.max(faces.length, 4);
  return folder;
}

async function signIn(p: Page, email: string, password: string) {
  await p.goto(`${baseURL}/images`);
  await p.waitForURL(/\/signin/);
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(/\/images$/);
}

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
  uploadDir = await makeUploadFolder();
});
afterAll(async () => {
  await browser?.close();
});

describe('foundation in Chromium', () => {
  it('refuses a wrong password with a visible message', async () => {
    await page.goto(`${baseURL}/signin`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('form', { name: 'Sign in' }).getByRole('alert').textContent()).toContain('Wrong email or password');
  });

  it('signs in and shows only the sections that exist', async () => {
    await signIn(page, ADMIN.email, ADMIN.password);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(
      expect.arrayContaining(['Facet', 'Images', 'Exports', 'Admin', 'Models']),
    );
    before = Number((await page.getByTestId('image-counts').textContent())?.match(/(\d+) images/)?.[1] ?? 0);
  });

  it('uploads a folder: images stored, the fake .jpg rejected with a reason', async () => {
    await page.getByTestId('folder-input').setInputFiles(uploadDir);
    const results = page.getByTestId('upload-results');
    await expect.poll(() => results.locator('li[data-state="done"]').count(), { timeout: 60_000 }).toBe(faceCount + 1);
    const text = await results.textContent();
    expect(text).toContain('not-really.jpg');
    expect(text).toMatch(/rejected/);
    await results.getByText('Why some were not stored').first().click();
    expect(await results.textContent()).toMatch(/not an image|not a supported image/i);
    await expect.poll(() => page.getByTestId('image-counts').textContent()).toContain(`${before + faceCount} images`);
    await page.screenshot({ path: 'test-results/images-after-folder-upload.png', fullPage: true });
  });

  it('uploads a zip: its images stored, the zip-slip entry refused visibly', async () => {
    const photo = (seed: number) =>
      sharp({ create: { width: 120, height: 160, channels: 3, background: { r: seed, g: 30, b: 200 }, noise: { type: 'gaussian', mean: 100, sigma: 25 } } }).jpeg().toBuffer();
    const zipPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'facet-zip-')), 'archive.zip');
    writeFileSync(
      zipPath,
      buildZip([
        { name: 'in-zip/a.jpg', data: await photo(10) },
        { name: 'in-zip/b.jpg', data: await photo(20) },
        { name: '../../etc/passwd', data: Buffer.from('root:x:0:0:root:/root:/bin/bash') },
      ]),
    );
    await page.getByTestId('file-input').setInputFiles(zipPath);
    const row = page.getByTestId('upload-results').locator('li', { hasText: 'archive.zip' });
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(await row.textContent()).toMatch(/2 stored.*1 rejected/);
    await row.getByText('Why some were not stored').click();
    expect(await row.textContent()).toMatch(/\.\.\/\.\.\/etc\/passwd.*zip-slip/);
    await expect.poll(() => page.getByTestId('image-counts').textContent()).toContain(`${before + faceCount + 2} images`);
  });

  it('renders hostile file names as text', async () => {
    const name = '<img src=x onerror="window.__xss=1">.png';
    const png = await sharp({ create: { width: 30, height: 30, channels: 3, background: '#ff0000' } }).png().toBuffer();
    await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'image/png', buffer: png });
    await expect.poll(() => page.getByTestId('image-grid').textContent(), { timeout: 30_000 }).toContain(name);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('lets an admin create an annotator, who sees no Admin section and is refused its page', async () => {
    await page.goto(`${baseURL}/admin/users`);
    const form = page.getByRole('form', { name: 'Create user' });
    await form.getByLabel('Email').fill('annie@e2e.local');
    await form.getByLabel('Role').selectOption('ANNOTATOR');
    await form.getByLabel('Password').fill('annie-password');
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Created annie@e2e.local');

    const second = await launchBrowser(); // a separate profile: a second person
    const annie = await second.newPage();
    await signIn(annie, 'annie@e2e.local', 'annie-password');
    expect(await annie.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await annie.goto(`${baseURL}/admin/users`);
    await annie.waitForURL(/\/forbidden$/);
    expect(await annie.getByRole('heading').textContent()).toContain('Not allowed');
    await second.close();
  });

  it('signs out', async () => {
    await page.goto(`${baseURL}/images`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    await page.goto(`${baseURL}/images`);
    await page.waitForURL(/\/signin/);
  });
});
