import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signInWithForm } from '../support/browser';
import { fetchJson, signInCookie } from '../support/http-session';
import { type RunningServer, startServer } from '../support/server';

/**
 * Lease expiry in Chromium. This file runs its own production server with 3-second leases
 * (FACET_LEASE_MS), so the shared e2e server keeps its normal 5-minute leases.
 */
const ADMIN = { email: 'admin@lease.local', password: 'lease-admin-password' };
const LEASE_MS = 3000;
const FACES = path.resolve('tests/fixtures/faces');

let server: RunningServer;
let admin: string;
const browsers: BrowserContext[] = [];

const api = <T>(pathname: string, method: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetchJson<T>(server.url, pathname, { cookie: admin, method, body, headers });

async function seedFace(i: number, pMale: number): Promise<void> {
  const files = readdirSync(FACES).filter((f) => f.endsWith('.jpg'));
  const bytes = await sharp(readFileSync(path.join(FACES, files[i % files.length]))).resize(210 + i, 210 + i).jpeg().toBuffer();
  const up = await api<{ results: { imageId: string }[] }>('/api/uploads', 'POST', new Uint8Array(bytes), {
    'x-file-name': `lease-${i}.jpg`,
    'content-type': 'application/octet-stream',
  });
  const imageId = up.results[0].imageId;
  const ageProbs = Array.from({ length: 24 }, (_, b) => (b === 10 ? 0.8 : 0.2 / 23));
  await api(`/api/images/${imageId}/predictions`, 'POST', {
    model: 'lease-model',
    faces: [{ box: { x: 20, y: 20, w: 150, h: 160 }, detScore: 0.99, pMale, ageProbs, age: 24 }],
  });
}

async function signedIn(email: string, password: string): Promise<Page> {
  const context = await launchBrowser();
  browsers.push(context);
  const page = await context.newPage();
  await signInWithForm(page, server.url, email, password);
  return page;
}

const faceOn = async (page: Page) => {
  await page.getByTestId('workspace').waitFor({ timeout: 20_000 });
  return page.getByTestId('workspace').getAttribute('data-face-id');
};

beforeAll(async () => {
  server = await startServer({ FACET_ADMIN_EMAIL: ADMIN.email, FACET_ADMIN_PASSWORD: ADMIN.password, FACET_LEASE_MS: String(LEASE_MS), FACET_QUEUE_RANDOM_SHARE: '0' });
  admin = await signInCookie(server.url, ADMIN.email, ADMIN.password);
  await seedFace(0, 0.5); // the most uncertain: first in the queue
  await seedFace(1, 0.97);
  for (const who of ['anne', 'bob']) await api('/api/users', 'POST', { email: `${who}@lease.local`, role: 'ANNOTATOR', password: `${who}-password` });
}, 180_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

describe('leases in Chromium', () => {
  it('keeps a face while its editor is open, and returns it to the queue when the lease runs out', async () => {
    const anne = await signedIn('anne@lease.local', 'anne-password');
    const bob = await signedIn('bob@lease.local', 'bob-password');
    await anne.goto(`${server.url}/annotate`);
    const held = await faceOn(anne);

    // While Anne's editor is open it renews the lease (every second here): Bob gets the other face.
    await anne.waitForTimeout(LEASE_MS + 1500);
    await bob.goto(`${server.url}/annotate`);
    const other = await faceOn(bob);
    expect(other).not.toBe(held);
    await bob.keyboard.press('s'); // Bob skips his face; the queue is now only Anne's face, leased to her
    await bob.getByTestId('queue-empty').waitFor({ timeout: 20_000 });

    // Anne loses her connection: no renewals, so the lease runs out and Bob is served her face.
    await anne.context().setOffline(true);
    await anne.waitForTimeout(LEASE_MS + 1500);
    await bob.getByRole('button', { name: 'Check again' }).click();
    expect(await faceOn(bob)).toBe(held);

    // Back online, Anne's editor finds out at its next renewal and says so.
    await anne.context().setOffline(false);
    await expect.poll(() => anne.getByTestId('notice').first().textContent().catch(() => ''), { timeout: 20_000 }).toMatch(/ran out/);
    await bob.keyboard.press('Enter');
    await expect.poll(async () => (await api<{ face: { status: string; labeledBy?: { email: string } | null } }>(`/api/faces/${held}`, 'GET')).face.status, { timeout: 10_000 }).toBe('LABELED');
  });
});
