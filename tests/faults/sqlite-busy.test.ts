import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../bench/load/seed';
import { resetConfigCache } from '@/lib/server/config';
import { closeDb, getDb } from '@/lib/server/db';
import { signInCookie } from '../support/http-session';
import { type Facet, client, startFacet } from './support/facet';
import { openDb } from './support/store-check';

/**
 * SQLite with two writing processes: the web server saving labels while another process (standing
 * in for a worker, but holding its write transactions far longer than any real one) keeps taking
 * the write lock. Saves wait for the lock (BEGIN IMMEDIATE + busy timeout) and all succeed; a lock
 * held past the busy timeout (FACET_SQLITE_BUSY_MS) gets a clean 503 DB_BUSY with Retry-After, and
 * the same save sent again afterwards is applied exactly once.
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'facet-fault-busy-'));
const dbFile = path.join(dataDir, 'facet.db');
const env = { FACET_DATA_DIR: dataDir, DATABASE_URL: `file:${dbFile}`, FACET_ADMIN_EMAIL: 'admin@fault.local', FACET_ADMIN_PASSWORD: 'fault-admin-password', FACET_SQLITE_BUSY_MS: '1500' };
let facet: Facet;
let calls: ReturnType<typeof client>[] = [];
const holders: ChildProcess[] = [];

/** Starts the other writer; resolves once it holds the lock for the first time, with its end. */
function holdLock(holdMs: number, gapMs: number, totalMs: number): Promise<{ finished: Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'support/lock-holder.cjs'), dbFile, String(holdMs), String(gapMs), String(totalMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(child);
  const finished = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) =>
    child.stdout!.once('data', (d) => (String(d).startsWith('locked') ? resolve({ finished }) : reject(new Error(`lock holder: ${d}`)))),
  );
}

async function labelNext(call: ReturnType<typeof client>, statuses: number[]) {
  const next = await call('/api/annotate/next', { method: 'POST' });
  statuses.push(next.status);
  if (next.status !== 200) return;
  const { face } = await next.json();
  if (!face) return;
  const res = await call(`/api/faces/${face.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: face.version, action: 'label', gender: 'FEMALE', age: 33, requestId: randomUUID() }) });
  statuses.push(res.status);
}

beforeAll(async () => {
  Object.assign(process.env, env);
  resetConfigCache();
  await closeDb();
  const seeded = await seed(await getDb(), 'sqlite', 400, 4);
  await closeDb();
  facet = await startFacet(env);
  calls = await Promise.all(seeded.users.map(async (u) => client(facet.url, await signInCookie(facet.url, u.email, seeded.password))));
}, 180_000);

afterAll(async () => {
  for (const h of holders) h.kill('SIGKILL');
  await facet?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SQLite written by two processes at once', () => {
  it('queues the web server behind the other writer: every save succeeds, no 5xx', async () => {
    const { finished } = await holdLock(120, 30, 6_000);
    const statuses: number[] = [];
    const deadline = Date.now() + 5_000;
    await Promise.all(calls.map(async (call) => {
      while (Date.now() < deadline) await labelNext(call, statuses);
    }));
    await finished;
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses.length).toBeGreaterThan(8);
    expect(facet.logs()).not.toMatch(/unhandled error in route/);
  }, 60_000);

  it('answers 503 DB_BUSY when the lock outlasts the busy timeout, and the resent save applies once', async () => {
    const call = calls[0];
    const { face } = await (await call('/api/annotate/next', { method: 'POST' })).json();
    const body = JSON.stringify({ version: face.version, action: 'label', gender: 'MALE', age: 41, requestId: randomUUID() });
    const save = () => call(`/api/faces/${face.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body });

    const { finished } = await holdLock(4_000, 0, 1); // one long transaction
    const busy = await save();
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBeTruthy();
    expect((await busy.json()).error).toMatchObject({ code: 'DB_BUSY' });
    await finished;

    const ok = await save();
    expect(ok.status).toBe(200);
    expect((await ok.json()).face.version).toBe(face.version + 1);
    expect((await save()).status).toBe(200); // a third send is answered, not applied
    const db = openDb(dataDir);
    try {
      const row = db.prepare('SELECT version, gender, age FROM "Face" WHERE id = ?').get(face.id);
      expect(row).toEqual({ version: face.version + 1, gender: 'MALE', age: 41 });
      expect((db.prepare(`SELECT COUNT(*) AS n FROM "LabelEvent" WHERE "faceId" = ? AND action = 'LABEL'`).get(face.id) as { n: number }).n).toBe(1);
    } finally {
      db.close();
    }
  }, 60_000);
});
