/**
 * Micro-bench of the hot path without HTTP: `npx tsx bench/load/micro.ts [--db sqlite|postgresql]
 * [--faces 100000] [--n 300]`. Seeds like bench:load, then times (CPU ms per call, this process)
 * and counts the SQL statements of: the session check (JWT decode + user row), next-face, a label
 * save, and plain Prisma reads for scale. Sequential calls, so the figures are per-call costs, not
 * latencies under contention.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encode } from 'next-auth/jwt';
import { seed } from './seed';

const { values } = parseArgs({ options: { db: { type: 'string', default: 'sqlite' }, faces: { type: 'string', default: '100000' }, n: { type: 'string', default: '300' } } });
const N = Number(values.n);

let statements = 0;
async function countStatements(provider: string) {
  if (provider === 'sqlite') {
    // Executions, not preparations (the adapter reuses prepared statements).
    const { default: Database } = await import('better-sqlite3');
    const scratch = new Database(':memory:');
    const proto = Object.getPrototypeOf(scratch.prepare('SELECT 1')) as Record<'run' | 'all', (...a: unknown[]) => unknown>;
    scratch.close();
    for (const name of ['run', 'all'] as const) {
      const original = proto[name];
      proto[name] = function (this: unknown, ...a: unknown[]) {
        statements++;
        return original.apply(this, a);
      };
    }
  } else {
    const { default: pg } = await import('pg');
    for (const C of [pg.Client, pg.Pool]) {
      const proto = C.prototype as unknown as { query: (...a: unknown[]) => unknown };
      const query = proto.query;
      proto.query = function (this: unknown, ...a: unknown[]) {
        if (C === pg.Client) statements++;
        return query.apply(this, a);
      };
    }
  }
}

async function time(label: string, n: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < Math.min(20, n); i++) await fn(n + i); // warm-up
  const s0 = statements;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  console.log(`  ${label.padEnd(44)} ${((c.user + c.system) / 1000 / n).toFixed(2).padStart(7)} ms CPU  ${(wall / n).toFixed(2).padStart(7)} ms wall  ${((statements - s0) / n).toFixed(1).padStart(5)} statements/call`);
}

async function main() {
  const provider = values.db === 'postgresql' ? 'postgresql' : 'sqlite';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'facet-micro-'));
  let drop: (() => Promise<void>) | undefined;
  let url = `file:${path.join(tmp, 'facet.db')}`;
  if (provider === 'postgresql') {
    const { default: pg } = await import('pg');
    const base = process.env.FACET_BENCH_PG_URL ?? 'postgresql://facet@127.0.0.1:55432/postgres';
    const name = `facet_micro_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  Object.assign(process.env, { FACET_DATA_DIR: tmp, DATABASE_URL: url, FACET_STORAGE_DIR: path.join(tmp, 'storage'), NEXTAUTH_SECRET: randomBytes(32).toString('base64url'), FACET_ADMIN_PASSWORD: randomBytes(12).toString('base64url') });
  await countStatements(provider);
  const { getDb, closeDb } = await import('@/lib/server/db');
  const { userFromSessionToken } = await import('@/lib/server/auth/session');
  const { nextFace } = await import('@/lib/api/annotate/next-face');
  const { saveLabel } = await import('@/lib/api/annotate/save-label');
  const { authSecret } = await import('@/lib/server/config');
  try {
    const prisma = await getDb();
    const users = 50;
    const seeded = await seed(prisma, provider, Number(values.faces), users);
    const tokens = await Promise.all(seeded.users.map((u) => encode({ token: { sub: u.id, email: u.email, role: 'ANNOTATOR' }, secret: authSecret() })));
    console.log(`== micro-bench on ${provider}, ${values.faces} faces, load average ${os.loadavg()[0].toFixed(2)}`);
    await time('prisma.user.findUnique', N, (i) => prisma.user.findUnique({ where: { id: seeded.users[i % users].id }, select: { id: true, role: true, active: true } }));
    await time('$queryRaw user', N, (i) => prisma.$queryRaw`SELECT "id", "role", "active" FROM "User" WHERE "id" = ${seeded.users[i % users].id}`);
    await time('session (decode JWT + user row)', N, (i) => userFromSessionToken(tokens[i % users]));
    // next-face then save, per user in turn (each holds at most one lease).
    const served: { userId: string; id: string; version: number }[] = [];
    await time('nextFace', N, async (i) => {
      const userId = seeded.users[i % users].id;
      const view = await nextFace(prisma, userId);
      if (!view.face) throw new Error('queue ran dry');
      served.push({ userId, id: view.face.id, version: view.face.version });
    });
    await time('saveLabel (label)', served.length - 20, async (i) => {
      const s = served[i];
      await saveLabel(prisma, s.id, s.userId, { version: s.version, action: 'label', gender: 'MALE', age: 30, requestId: randomUUID() });
    });
  } finally {
    await closeDb();
    rmSync(tmp, { recursive: true, force: true });
    await drop?.();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
