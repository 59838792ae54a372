/**
 * Load bench: `npm run bench:load -- [--db sqlite|postgresql] [--annotators 50] [--seconds 60]
 *   [--faces 100000] [--think-ms 1000] [--warmup-seconds 5] [--instances 1] [--workers 1] [--keep] [--profile DIR]`
 *
 * Starts Facet's production build (`next start`, existing `.next`; run.sh builds it if missing) on
 * 127.0.0.1 with a fresh data directory and database (PostgreSQL: a fresh database on
 * FACET_BENCH_PG_URL, default postgresql://facet@127.0.0.1:55432/postgres), seeds --faces predicted
 * faces and --annotators users, signs each in through next-auth's credentials flow, and lets them
 * annotate for --seconds (see annotator.ts for the loop). Then prints requests/s and p50/p95/p99
 * per endpoint and checks the database (verify.ts). Exits non-zero on any error, lost save or double
 * lease. Traffic goes only to the loopback servers it started; everything stops by itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { signInCookie } from '../../tests/support/http-session';
import { Annotator, type Mix, type Outcome } from './annotator';
import { startCluster } from './cluster';
import { groupCpuMs } from './cpu';
import { summarizeProfiles } from './profile';
import { seed } from './seed';
import { Recorder, summarize, table } from './stats';
import { verify } from './verify';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    annotators: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    'warmup-seconds': { type: 'string', default: '5' },
    faces: { type: 'string', default: '100000' },
    'think-ms': { type: 'string', default: '1000' },
    instances: { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    /** Write V8 CPU profiles of the web instances to this folder and print where their time went. */
    profile: { type: 'string' },
  },
});
const DB = values.db === 'postgresql' || values.db === 'pg' ? 'postgresql' : 'sqlite';
const ANNOTATORS = Number(values.annotators);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values['warmup-seconds']);
const FACES = Number(values.faces);
const INSTANCES = Number(values.instances);
const WORKERS = Number(values.workers);
const MIX: Mix = { thinkMs: Number(values['think-ms']), boxShare: 0.1, conflictShare: 0.05, replayShare: 0.03, acceptShare: 0.3 };
const SAVE_P95_GOAL_MS = 50;

function mulberry(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function pgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.FACET_BENCH_PG_URL ?? 'postgresql://facet@127.0.0.1:55432/postgres';
  const { default: pg } = await import('pg');
  const name = `facet_load_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Baseline in the same run: the unauthenticated health check (routing + one SELECT 1), 5 times a second. */
function probe(urls: string[], recorder: Recorder, until: number): () => void {
  let stopped = false;
  void (async () => {
    for (let i = 0; !stopped && Date.now() < until; i++) {
      const t0 = performance.now();
      const res = await fetch(`${urls[i % urls.length]}/api/health`).catch(() => null);
      await res?.arrayBuffer();
      recorder.add('GET /api/health (baseline)', performance.now() - t0);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return () => (stopped = true);
}

async function main() {
  const tmp = mkdtempSync(path.join(process.env.FACET_BENCH_TMP ?? os.tmpdir(), 'facet-load-'));
  const pgDb = DB === 'postgresql' ? await pgDatabase() : null;
  const databaseUrl = pgDb ? pgDb.url : `file:${path.join(tmp, 'facet.db')}`;
  const env = {
    FACET_DATA_DIR: tmp,
    DATABASE_URL: databaseUrl,
    FACET_STORAGE_DIR: path.join(tmp, 'storage'),
    NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
    FACET_ADMIN_EMAIL: 'admin@bench.local',
    FACET_ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
  };
  Object.assign(process.env, env);
  const { getDb, closeDb } = await import('@/lib/server/db');
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  let failed = false;
  try {
    console.log(`== bench:load on ${DB}: ${FACES.toLocaleString('en')} faces, ${ANNOTATORS} annotators × ${SECONDS} s, think ${MIX.thinkMs} ms (±50%), ${INSTANCES} web instance(s), ${WORKERS} worker(s)`);
    console.log(`   machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
    let t0 = performance.now();
    const seeded = await seed(await getDb(), DB, FACES, ANNOTATORS);
    await closeDb();
    console.log(`   seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    t0 = performance.now();
    const profileDir = values.profile ? path.resolve(values.profile) : undefined;
    cluster = await startCluster({ instances: INSTANCES, workers: WORKERS, env, webNodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : undefined });
    console.log(`   started ${cluster.urls.join(', ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const cookies: string[] = [];
    for (let i = 0; i < seeded.users.length; i += 5) {
      cookies.push(...(await Promise.all(seeded.users.slice(i, i + 5).map((u, j) => signInCookie(cluster!.urls[(i + j) % INSTANCES], u.email, seeded.password)))));
    }
    const recorder = new Recorder();
    const outcome: Outcome = { acks: [], grants: [], errors: [], conflicts: 0, replays: 0, emptyQueue: 0 };
    const annotators = seeded.users.map((u, i) => new Annotator(u.id, cookies[i], cluster!.urls, recorder, outcome, MIX, mulberry(1000 + i)));
    const begin = Date.now();
    let cpuAtStart: { web: number | null; workers: number | null; bench: NodeJS.CpuUsage } | null = null;
    const warmup = setTimeout(() => {
      recorder.measuring = true;
      cpuAtStart = { web: groupCpuMs(cluster!.webGroups), workers: groupCpuMs(cluster!.workerGroups), bench: process.cpuUsage() };
    }, WARMUP * 1000);
    const loadBefore = os.loadavg()[0];
    const stopProbe = probe(cluster.urls, recorder, begin + (WARMUP + SECONDS) * 1000);
    await Promise.all(annotators.map(async (a, i) => {
      await new Promise((r) => setTimeout(r, (i * MIX.thinkMs) / ANNOTATORS)); // staggered start
      await a.run(begin + (WARMUP + SECONDS) * 1000);
    }));
    clearTimeout(warmup);
    stopProbe();
    const endedAt = Date.now();
    const cpuAtEnd = { web: groupCpuMs(cluster.webGroups), workers: groupCpuMs(cluster.workerGroups), bench: process.cpuUsage() };
    const elapsed = (endedAt - begin) / 1000 - WARMUP;
    console.log(`\n   measured ${elapsed.toFixed(1)} s after a ${WARMUP} s warm-up; load average ${loadBefore.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`);
    console.log(table(recorder, elapsed).join('\n'));
    console.log(`  ${'all'.padEnd(40)}${String(recorder.total()).padStart(8)}${(recorder.total() / elapsed).toFixed(1).padStart(8)}`);
    const start = cpuAtStart as typeof cpuAtEnd | null;
    if (start?.web != null && cpuAtEnd.web !== null) {
      const cpu = cpuAtEnd.web - start.web;
      const core = (ms: number) => `${((100 * ms) / 1000 / elapsed).toFixed(0)}% of one core`;
      const bench = (cpuAtEnd.bench.user + cpuAtEnd.bench.system - start.bench.user - start.bench.system) / 1000;
      console.log(`   CPU while measured: web instance(s) ${(cpu / 1000).toFixed(1)} s = ${(cpu / recorder.total()).toFixed(1)} ms per request (${core(cpu)}); ` +
        `worker(s) ${core((cpuAtEnd.workers ?? 0) - (start.workers ?? 0))}; this load generator ${core(bench)}`);
    }
    await cluster.stop();
    cluster = undefined;
    if (profileDir) console.log(`\n${summarizeProfiles(profileDir).join('\n')}`);

    const prisma = await getDb();
    const verdict = await verify(prisma, outcome.acks, outcome.grants, seeded.users.map((u) => u.id), endedAt);
    await closeDb();
    const labels = outcome.acks.filter((a) => a.kind !== 'BOX').length;
    const save = summarize(recorder.samples.get('PATCH /api/faces/:id (label)') ?? []);
    console.log(`\n   faces labeled: ${labels} (${(labels / (elapsed + WARMUP)).toFixed(1)}/s); box edits: ${outcome.acks.length - labels}; conflicts (409 as expected): ${outcome.conflicts}; retries answered without re-applying: ${outcome.replays}${outcome.emptyQueue ? `; queue ran dry for ${outcome.emptyQueue}` : ''}`);
    console.log(`   errors: ${outcome.errors.length}${outcome.errors.length ? `\n     ${[...new Set(outcome.errors)].slice(0, 10).join('\n     ')}` : ''}`);
    console.log(`   acknowledged saves: ${verdict.acknowledged}; lost: ${verdict.lostSaves.length}${verdict.lostSaves.length ? `\n     ${verdict.lostSaves.slice(0, 10).join('\n     ')}` : ''}`);
    console.log(`   history events without an acknowledgement: ${verdict.unacknowledgedWrites}; duplicate (face, version) events: ${verdict.duplicateVersions}`);
    console.log(`   faces leased to two annotators at once: ${verdict.doubleLeases.length}${verdict.doubleLeases.length ? ` (${verdict.doubleLeases.slice(0, 5).join('; ')})` : ''}; lease invariants: ${verdict.leaseInvariant.length ? verdict.leaseInvariant.join('; ') : 'ok'}`);
    console.log(`   save p95 ${save.p95.toFixed(1)} ms — goal < ${SAVE_P95_GOAL_MS} ms${DB === 'sqlite' ? (save.p95 < SAVE_P95_GOAL_MS ? ': met' : ': MISSED') : ' (the goal is set for SQLite)'}`);
    failed = outcome.errors.length > 0 || verdict.lostSaves.length > 0 || verdict.doubleLeases.length > 0 || verdict.leaseInvariant.length > 0 || verdict.duplicateVersions > 0 || verdict.unacknowledgedWrites !== 0;
  } catch (error) {
    if (cluster) console.error(cluster.logs().slice(-4000));
    throw error;
  } finally {
    if (cluster) await cluster.stop();
    await closeDb().catch(() => undefined);
    if (values.keep) console.log(`kept ${tmp}${pgDb ? ` and ${pgDb.url}` : ''}`);
    else {
      rmSync(tmp, { recursive: true, force: true });
      await pgDb?.drop();
    }
  }
  if (failed) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
