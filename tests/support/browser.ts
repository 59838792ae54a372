import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.FACET_CHROMIUM ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, in a fresh profile (never a downloaded browser). */
export async function launchBrowser(options: { webgpu?: boolean } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'facet-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.webgpu ? ['--enable-unsafe-webgpu'] : []),
    ],
    viewport: { width: 1280, height: 900 },
  });
}

/**
 * Signs in through the /signin form as a person would; resolves once the app has sent the page on to
 * /images (`waitUntil: 'commit'` stops there, without waiting for the images page to load).
 */
export async function signInWithForm(page: Page, baseURL: string, email: string, password: string, options: { waitUntil?: 'load' | 'commit' } = {}) {
  await page.goto(`${baseURL}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/images$/, { waitUntil: options.waitUntil ?? 'load' });
}
