import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

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
