import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInCookie } from '../support/http-session';
import { type Facet, client, startFacet, waitFor } from './support/facet';
import { type PgCluster, startPgCluster } from './support/pg-cluster';

/**
 * PostgreSQL stopped and started again under a running Facet (on a private throwaway cluster, never
 * the shared one): while it is down every request fails cleanly (503 with a clear message and
 * Retry-After, health 503, no 500s, nothing stored), and once it is back Facet recovers by itself,
 * in the same process.
 */
let pg: PgCluster | null = null;
let facet: Facet | undefined;
let dataDir = '';
let call: ReturnType<typeof client>;

const photo = (shade: number) =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: { r: shade, g: 80, b: 120 }, noise: { type: 'gaussian', mean: 120, sigma: 20 } } }).jpeg().toBuffer();

const upload = async (name: string, bytes: Buffer) =>
  call('/api/uploads', { method: 'POST', headers: { 'x-file-name': name, 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes) });

beforeAll(async () => {
  pg = await startPgCluster();
  if (!pg) return;
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'facet-fault-pg-data-'));
  const env = { FACET_DATA_DIR: dataDir, DATABASE_URL: pg.url, FACET_ADMIN_EMAIL: 'admin@fault.local', FACET_ADMIN_PASSWORD: 'fault-admin-password' };
  facet = await startFacet(env);
  call = client(facet.url, await signInCookie(facet.url, env.FACET_ADMIN_EMAIL, env.FACET_ADMIN_PASSWORD));
}, 180_000);

afterAll(async () => {
  await facet?.kill('SIGKILL');
  pg?.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('PostgreSQL restarted while Facet runs', () => {
  it('answers 503 with a clear message while it is down, then recovers without a restart', async (ctx) => {
    if (!pg || !facet) return ctx.skip(); // PostgreSQL is not installed here
    expect((await upload('before.jpg', await photo(10))).status).toBe(200);

    pg.stop();
    const down = [await call('/api/images'), await upload('during.jpg', await photo(20)), await call('/api/annotate/next', { method: 'POST' })];
    for (const res of down) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      const body = await res.json();
      expect(body.error.code).toBe('DB_UNAVAILABLE');
      expect(body.error.message).toMatch(/database cannot be reached/i);
    }
    expect((await call('/api/health')).status).toBe(503);

    pg.start();
    await waitFor('Facet to answer again', async () => (await call('/api/images')).status === 200, 30_000);
    expect((await upload('after.jpg', await photo(30))).status).toBe(200);
    const list = await (await call('/api/images')).json();
    const names = JSON.stringify(list);
    expect(names).toContain('before.jpg');
    expect(names).toContain('after.jpg');
    expect(names).not.toContain('during.jpg');
    expect((await call('/api/health')).status).toBe(200);
    expect(facet.logs()).not.toMatch(/unhandled error in route/);
  }, 120_000);
});
