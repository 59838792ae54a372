/**
 * Bench: the annotation queue at scale (server part of `npm run bench:annotate`).
 *
 *   npx tsx bench/annotate-queue.ts [--faces 100000] [--iterations 500] [--only sqlite|postgresql] [--keep]
 *
 * Seeds a fresh SQLite database (and a fresh PostgreSQL database when FACET_BENCH_PG_URL is set)
 * with --faces predicted faces (4 per image, random uncertainty and predictions) and one PREDICT
 * history event each, by multi-row INSERTs in one transaction (Prisma's createMany manages only
 * ~500 rows/s through the SQLite driver adapter), prints the query plans of the queue's queries, then measures at the lib-call level,
 * with 10 annotators taking turns:
 *   - claim: nextFace (resume check, recent work, candidates, compare-and-set lease, editor payload)
 *   - save:  saveLabel 'label' (transaction: read, compare-and-set on version, history event, reload)
 * and two baselines measured in the same run: a plain findFirst by uncertainty (what a queue
 * without leases or diversity would do) and a plain update by id; each with p50/p95/p99 and the
 * ratio to its baseline.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

type Stats = { p50: number; p95: number; p99: number; mean: number };
type Prisma = import('@/lib/server/db').PrismaClient;

const { values } = parseArgs({
  options: {
    faces: { type: 'string', default: '100000' },
    iterations: { type: 'string', default: '500' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const FACES = Number(values.faces);
const ITERATIONS = Number(values.iterations);
const WARMUP = 20;
const ANNOTATORS = 10;
const GENDERS = ['MALE', 'FEMALE'] as const;

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
const ms = (n: number) => `${n.toFixed(2)} ms`.padStart(10);
const row = (label: string, st: Stats, base?: Stats) =>
  `  ${label.padEnd(34)}${ms(st.p50)}${ms(st.p95)}${ms(st.p99)}${ms(st.mean)}${base ? `   ×${(st.p50 / base.p50).toFixed(1)} p50, ×${(st.p95 / base.p95).toFixed(1)} p95` : ''}`;

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}

/** Multi-row INSERTs of bench-made literals (ids, numbers, fixed words: nothing to escape), in one transaction per table. */
async function insertRows(prisma: Prisma, table: string, columns: string[], count: number, values: (i: number) => unknown[]) {
  const lit = (v: unknown) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v)}'`);
  const BATCH = 1000;
  await prisma.$transaction(
    async (tx) => {
      for (let start = 0; start < count; start += BATCH) {
        const rows: string[] = [];
        for (let i = start; i < Math.min(count, start + BATCH); i++) rows.push(`(${values(i).map(lit).join(',')})`);
        await tx.$executeRawUnsafe(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(',')}) VALUES ${rows.join(',')}`);
      }
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

async function seed(prisma: Prisma, provider: 'sqlite' | 'postgresql') {
  const { seededRng } = await import('@/lib/domain/queue-policy');
  const rng = seededRng(12345);
  // DateTime literals as Prisma writes them for each provider.
  const iso = new Date().toISOString();
  const stamp = provider === 'sqlite' ? iso.replace('Z', '+00:00') : iso.replace('T', ' ').replace('Z', '');
  const dataset = await prisma.dataset.create({ data: { name: `bench-${Date.now()}` } });
  await prisma.user.createMany({
    data: Array.from({ length: ANNOTATORS }, (_, i) => ({ id: `bench-user-${i}`, email: `bench${i}@bench.local`, passwordHash: 'x', role: 'ANNOTATOR' as const })),
  });
  const images = Math.ceil(FACES / 4);
  await insertRows(
    prisma,
    'Image',
    ['id', 'contentHash', 'storageKey', 'thumbKey', 'mimeType', 'bytes', 'width', 'height', 'sourceName', 'datasetId', 'createdAt'],
    images,
    (i) => {
      const hash = i.toString(16).padStart(64, '0');
      return [`bench-img-${i}`, hash, `images/${hash}.jpg`, `thumbs/${hash}.jpg`, 'image/jpeg', 1000, 1024, 768, `${i}.jpg`, dataset.id, stamp];
    },
  );
  await insertRows(
    prisma,
    'Face',
    ['id', 'imageId', 'x', 'y', 'w', 'h', 'predModel', 'predGender', 'predGenderConf', 'predAge', 'predAgeBin', 'uncertainty', 'uncertaintyWhy', 'createdAt', 'updatedAt'],
    FACES,
    (i) => {
      const bin = Math.floor(rng() * 24);
      const u = Math.round(rng() * 1000) / 1000;
      const gender = GENDERS[Math.floor(rng() * 2)];
      return [`bench-face-${i}`, `bench-img-${Math.floor(i / 4)}`, 100 + (i % 4) * 200, 100, 120, 150, 'bench', gender, 0.5 + u / 2, 20 + bin, bin, u, `gender uncertain: ${u.toFixed(2)}`, stamp, stamp];
    },
  );
  // One PREDICT event per face, as the prediction writer leaves them: the history table is not empty.
  await insertRows(prisma, 'LabelEvent', ['faceId', 'imageId', 'action', 'faceVersion', 'createdAt'], FACES, (i) => [
    `bench-face-${i}`,
    `bench-img-${Math.floor(i / 4)}`,
    'PREDICT',
    1,
    stamp,
  ]);
}

const PLAN_QUERIES: [string, string][] = [
  ['candidates (top window)', `SELECT "id" FROM "Face" WHERE "status" = 'PREDICTED' AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < $NOW) ORDER BY "uncertainty" DESC LIMIT 32`],
  ['resume (my live lease)', `SELECT "id" FROM "Face" WHERE "leaseOwnerId" = 'bench-user-0' AND "leaseExpiresAt" > $NOW AND "status" = 'PREDICTED' ORDER BY "leaseExpiresAt" DESC LIMIT 1`],
  ['claim (compare-and-set)', `UPDATE "Face" SET "leaseOwnerId" = 'bench-user-0' WHERE "id" = 'bench-face-1' AND "status" = 'PREDICTED' AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < $NOW)`],
  ['recent work (diversity)', `SELECT "id" FROM "LabelEvent" WHERE "userId" = 'bench-user-0' AND "action" IN ('LABEL','ACCEPT','SKIP') ORDER BY "createdAt" DESC, "id" DESC LIMIT 3`],
  ['remaining (count)', `SELECT COUNT(*) FROM "Face" WHERE "status" = 'PREDICTED'`],
  ['random pivot (offset)', `SELECT "uncertainty" FROM "Face" WHERE "status" = 'PREDICTED' ORDER BY "uncertainty" DESC LIMIT 1 OFFSET 50000`],
  ['faces of the image', `SELECT "id" FROM "Face" WHERE "imageId" = 'bench-img-7' AND "id" <> 'bench-face-28'`],
  ['last change of a face', `SELECT "id" FROM "LabelEvent" WHERE "faceId" = 'bench-face-1' ORDER BY "id" DESC LIMIT 1`],
  ['request replay', `SELECT "id" FROM "LabelEvent" WHERE "userId" = 'bench-user-0' AND "requestId" = 'abc'`],
];

async function explain(prisma: Prisma, provider: 'sqlite' | 'postgresql') {
  console.log('  query plans:');
  for (const [label, sql] of PLAN_QUERIES) {
    if (provider === 'sqlite') {
      const rows = (await prisma.$queryRawUnsafe(`EXPLAIN QUERY PLAN ${sql.replace(/\$NOW/g, `${Date.now()}`)}`)) as { detail: string }[];
      console.log(`    ${label.padEnd(26)} ${rows.map((r) => r.detail).join(' | ')}`);
    } else {
      const plain = sql.replace(/\$NOW/g, `now()`);
      const rows = (await prisma.$queryRawUnsafe(`EXPLAIN ${plain}`)) as { 'QUERY PLAN': string }[];
      console.log(`    ${label.padEnd(26)} ${rows.map((r) => r['QUERY PLAN'].trim()).join(' | ')}`);
    }
  }
}

async function run(provider: 'sqlite' | 'postgresql', url: string) {
  const [{ getDb, closeDb }, { resetConfigCache }, { nextFace }, { saveLabel }, { seededRng }] = await Promise.all([
    import('@/lib/server/db'),
    import('@/lib/server/config'),
    import('@/lib/api/annotate/next-face'),
    import('@/lib/api/annotate/save-label'),
    import('@/lib/domain/queue-policy'),
  ]);
  await closeDb();
  process.env.DATABASE_URL = url;
  resetConfigCache();
  const prisma = await getDb();
  console.log(`\n== ${provider}: ${FACES.toLocaleString('en')} faces, ${ITERATIONS} iterations (+${WARMUP} warm-up), ${ANNOTATORS} annotators`);
  const [seedMs] = await time(() => seed(prisma, provider));
  console.log(`  seeded in ${(seedMs / 1000).toFixed(1)} s (${Math.round(FACES / (seedMs / 1000)).toLocaleString('en')} faces/s)`);
  if (provider === 'postgresql') await prisma.$executeRawUnsafe('VACUUM ANALYZE'); // what autovacuum does after a bulk insert
  await explain(prisma, provider);

  const rng = seededRng(99);
  const baseline: number[] = [];
  const claim: number[] = [];
  const claimRandom: number[] = [];
  const claimTop: number[] = [];
  const save: number[] = [];
  const update: number[] = [];
  let random = 0;
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const user = `bench-user-${i % ANNOTATORS}`;
    const [tb] = await time(() => prisma.face.findFirst({ where: { status: 'PREDICTED' }, orderBy: { uncertainty: 'desc' }, select: { id: true } }));
    const [tc, next] = await time(() => nextFace(prisma, user, { rng }));
    if (!next.face) throw new Error('queue ran dry');
    const isRandom = 'reason' in next && next.reason === 'RANDOM';
    const [ts] = await time(() => saveLabel(prisma, next.face!.id, user, { version: next.face!.version, action: 'label', gender: 'FEMALE', age: 30, requestId: `bench-${i}-req` }));
    const [tu] = await time(() => prisma.face.update({ where: { id: next.face!.id }, data: { race: 'OTHER' }, select: { id: true } }));
    if (i >= WARMUP) {
      baseline.push(tb);
      claim.push(tc);
      (isRandom ? claimRandom : claimTop).push(tc);
      if (isRandom) random++;
      save.push(ts);
      update.push(tu);
    }
  }
  const b = stats(baseline);
  const u = stats(update);
  console.log(`  ${''.padEnd(34)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'p99'.padStart(10)}${'mean'.padStart(10)}`);
  console.log(row('baseline: findFirst by uncertainty', b));
  console.log(row('claim next face (nextFace)', stats(claim), b));
  console.log(row('  of which uncertainty picks', stats(claimTop), b));
  if (claimRandom.length) console.log(row('  of which random-slice picks', stats(claimRandom), b));
  console.log(row('baseline: update by id', u));
  console.log(row('save label (saveLabel)', stats(save), u));
  console.log(`  random-slice picks: ${random}/${ITERATIONS} (${((100 * random) / ITERATIONS).toFixed(1)}%)`);
  await closeDb();
}

async function main() {
  const tmp = mkdtempSync(path.join(process.env.FACET_BENCH_TMP ?? os.tmpdir(), 'facet-bench-annotate-'));
  process.env.FACET_DATA_DIR = tmp;
  process.env.FACET_ADMIN_PASSWORD ??= 'bench-admin-password';
  delete process.env.FACET_STORAGE_DIR;
  try {
    if (values.only !== 'postgresql') await run('sqlite', `file:${path.join(tmp, 'facet.db')}`);
    const pgBase = process.env.FACET_BENCH_PG_URL;
    if (pgBase && values.only !== 'sqlite') {
      const { default: pg } = await import('pg');
      const name = `facet_bench_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: pgBase });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(pgBase);
      url.pathname = `/${name}`;
      try {
        await run('postgresql', url.toString());
      } finally {
        if (!values.keep) await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.end();
      }
    } else {
      console.log('\n(PostgreSQL skipped: set FACET_BENCH_PG_URL to a server URL to measure it too)');
    }
  } finally {
    if (values.keep) console.log(`\nkept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
