/**
 * The web instance's own per-request floor: `npx tsx bench/load/floor.ts [--seconds 15] [--concurrency 20]`.
 * Starts the production build (fresh SQLite, no workers) and measures its CPU per request for
 * GET /api/health (routing, an empty-ish handler, one raw `SELECT 1`, a small JSON reply) and for
 * the authenticated no-op POST /api/annotate/next of a user whose queue is empty (CSRF, session,
 * role check, the queue's look-ups). What Next.js and Node's HTTP stack cost before any real work.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { signInCookie } from '../../tests/support/http-session';
import { startCluster } from './cluster';
import { groupCpuMs } from './cpu';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, concurrency: { type: 'string', default: '20' } } });

async function hammer(label: string, groups: number[], seconds: number, concurrency: number, call: () => Promise<Response>) {
  const until = Date.now() + 2000;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (Date.now() < until) await (await call()).arrayBuffer(); })); // warm-up
  const cpu0 = groupCpuMs(groups)!;
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      const res = await call();
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${label}: ${res.status}`);
      n++;
    }
  }));
  const cpu = groupCpuMs(groups)! - cpu0;
  console.log(`  ${label.padEnd(48)} ${(n / seconds).toFixed(0).padStart(6)} req/s  ${(cpu / n).toFixed(2).padStart(6)} ms CPU per request`);
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'facet-floor-'));
  const password = randomBytes(12).toString('base64url');
  const env = { FACET_DATA_DIR: tmp, DATABASE_URL: `file:${path.join(tmp, 'facet.db')}`, FACET_STORAGE_DIR: path.join(tmp, 'storage'), NEXTAUTH_SECRET: randomBytes(32).toString('base64url'), FACET_ADMIN_EMAIL: 'admin@floor.local', FACET_ADMIN_PASSWORD: password };
  const cluster = await startCluster({ instances: 1, workers: 0, env });
  try {
    const url = cluster.urls[0];
    const seconds = Number(values.seconds);
    const concurrency = Number(values.concurrency);
    console.log(`== per-request floor, ${concurrency} concurrent clients, load average ${os.loadavg()[0].toFixed(2)}`);
    await hammer('GET /api/health', cluster.webGroups, seconds, concurrency, () => fetch(`${url}/api/health`));
    const cookie = await signInCookie(url, env.FACET_ADMIN_EMAIL, password);
    await hammer('POST /api/annotate/next (signed in, empty queue)', cluster.webGroups, seconds, concurrency, () => fetch(`${url}/api/annotate/next`, { method: 'POST', headers: { cookie, origin: url } }));
    console.log(`   load average ${os.loadavg()[0].toFixed(2)} at the end`);
  } finally {
    await cluster.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
