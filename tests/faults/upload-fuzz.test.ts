import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInCookie } from '../support/http-session';
import { type Facet, startFacet } from './support/facet';
import { checkStore } from './support/store-check';
import { runFuzz } from './support/upload-fuzz';

/** The small version of `npm run fuzz:upload`: 200 mutated JPEG/PNG/ZIP inputs against the running server. */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'facet-fault-fuzz-'));
const env = { FACET_DATA_DIR: dataDir, DATABASE_URL: '', FACET_ADMIN_EMAIL: 'admin@fuzz.local', FACET_ADMIN_PASSWORD: 'fuzz-admin-password' };
let facet: Facet;

beforeAll(async () => {
  facet = await startFacet(env);
}, 120_000);

afterAll(async () => {
  await facet?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('upload fuzzing', () => {
  it('answers 200 inputs with 2xx/4xx only, stays healthy and stores nothing broken', async () => {
    const cookie = await signInCookie(facet.url, env.FACET_ADMIN_EMAIL, env.FACET_ADMIN_PASSWORD);
    const result = await runFuzz({ url: facet.url, cookie, seed: 20261129, count: 200, concurrency: 3 });
    expect(result.serverErrors).toEqual([]);
    expect(result.networkErrors).toEqual([]);
    expect(Object.keys(result.byStatus).every((s) => /^[24]\d\d$/.test(s))).toBe(true);
    expect(result.byStatus['422'] ?? 0).toBeGreaterThan(50); // most mutants are refused…
    expect((await fetch(`${facet.url}/api/health`)).ok).toBe(true);
    const store = await checkStore(dataDir);
    expect(store).toMatchObject({ orphanBlobs: [], missingBlobs: [], undecodable: [], tempFiles: [] });
    expect(store.rows).toBe(result.stored); // …and what was stored is exactly what was reported
    expect(facet.logs()).not.toMatch(/unhandled error in route/);
  }, 120_000);
});
