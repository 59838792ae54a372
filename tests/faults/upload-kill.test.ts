import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageKey } from '@/lib/server/storage/keys';
import { signInCookie } from '../support/http-session';
import { yazlZip } from '../unit/ingest/helpers';
import { type Facet, client, startFacet, waitFor } from './support/facet';
import { ageFiles, checkStore, openDb } from './support/store-check';

/**
 * The web server SIGKILLed mid-upload (while receiving the body, and while storing the images of a
 * zip), then started again on the same files: the client saw a failure, the start-up sweep leaves no
 * temp files and no blobs without rows (once they are older than its grace periods), every row has
 * its files, and sending the same upload again succeeds with each image stored exactly once.
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'facet-fault-upload-'));
const env = { FACET_DATA_DIR: dataDir, DATABASE_URL: '', FACET_ADMIN_EMAIL: 'admin@fault.local', FACET_ADMIN_PASSWORD: 'fault-admin-password' };
let facet: Facet;
let cookie: string;

const DAY = 25 * 60 * 60_000; // past both grace periods: upload temp files (1 h) and young blobs (24 h)

async function restart() {
  ageFiles(dataDir, DAY);
  facet = await startFacet(env);
  cookie = await signInCookie(facet.url, env.FACET_ADMIN_EMAIL, env.FACET_ADMIN_PASSWORD);
}

function upload(name: string, body: BodyInit) {
  return client(facet.url, cookie)('/api/uploads', {
    method: 'POST',
    headers: { 'x-file-name': encodeURIComponent(name), 'content-type': 'application/octet-stream' },
    body,
    duplex: 'half',
  } as RequestInit);
}

function imageRows(): number {
  const db = openDb(dataDir);
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM "Image"').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  facet = await startFacet(env);
  cookie = await signInCookie(facet.url, env.FACET_ADMIN_EMAIL, env.FACET_ADMIN_PASSWORD);
}, 120_000);

afterAll(async () => {
  await facet?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('web server killed mid-upload', () => {
  it('while receiving the body: the client sees a failure, nothing is left after restart, the retry stores the image', async () => {
    const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#406080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg().toBuffer();
    const half = photo.subarray(0, Math.floor(photo.length / 2));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(half); // …and the rest never comes: the server dies first
      },
    });
    const sent = upload('big.jpg', body).then(
      (res) => ({ status: res.status }),
      (error: Error) => ({ error }),
    );
    await waitFor('the partial upload on disk', async () => (await checkStore(dataDir, { decode: false })).tempFiles.length > 0);
    await facet.kill('SIGKILL');
    const outcome = await sent;
    expect(outcome).toHaveProperty('error'); // a network failure the client can retry

    await restart();
    const after = await checkStore(dataDir);
    expect(after.tempFiles).toEqual([]);
    expect(after.rows).toBe(0);
    expect(after.blobs).toBe(0);

    const retry = await upload('big.jpg', new Uint8Array(photo));
    expect(retry.status).toBe(200);
    expect((await retry.json()).counts).toMatchObject({ stored: 1 });
    const stored = await checkStore(dataDir);
    expect(stored).toMatchObject({ rows: 1, blobs: 2, orphanBlobs: [], missingBlobs: [], undecodable: [], tempFiles: [] });
  }, 120_000);

  it('while storing the images of a zip: rows and files stay consistent, the retry completes it exactly once', async () => {
    const before = imageRows();
    const entries = await Promise.all(
      Array.from({ length: 80 }, async (_, i) => ({
        name: `batch/p${i}.jpg`,
        data: await sharp({ create: { width: 480, height: 360, channels: 3, background: { r: i, g: 90, b: 140 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).jpeg().toBuffer(),
      })),
    );
    const zip = await yazlZip(entries);
    const sent = upload('batch.zip', new Uint8Array(zip)).then(
      (res) => ({ status: res.status }),
      (error: Error) => ({ error }),
    );
    await waitFor('some of the zip stored', async () => imageRows() >= before + 3, 90_000, 20);
    await facet.kill('SIGKILL');
    const outcome = await sent;
    expect(outcome).toHaveProperty('error');
    const partial = imageRows() - before;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(entries.length);

    // A crash between "blob written" and "row committed" leaves a blob without a row; make sure there is one.
    const planted = imageKey('f'.repeat(64), 'jpg');
    mkdirSync(path.dirname(path.join(dataDir, 'storage', planted)), { recursive: true });
    const db = openDb(dataDir);
    const anyKey = (db.prepare('SELECT storageKey FROM "Image" LIMIT 1').get() as { storageKey: string }).storageKey;
    db.close();
    copyFileSync(path.join(dataDir, 'storage', anyKey), path.join(dataDir, 'storage', planted));

    await restart();
    const swept = await checkStore(dataDir);
    expect(swept).toMatchObject({ orphanBlobs: [], missingBlobs: [], undecodable: [], tempFiles: [] });
    expect(swept.rows).toBe(before + partial);
    expect(facet.logs()).toMatch(/startup sweep: .*orphan blob/);

    const retry = await upload('batch.zip', new Uint8Array(zip));
    expect(retry.status).toBe(200);
    const report = await retry.json();
    expect(report.counts).toMatchObject({ stored: entries.length - partial, duplicate: partial, rejected: 0 });
    const done = await checkStore(dataDir);
    expect(done).toMatchObject({ rows: before + entries.length, orphanBlobs: [], missingBlobs: [], undecodable: [], tempFiles: [] });
  }, 240_000);
});
