/**
 * Bench: wall time of a fine-tune round from "start round" to the promotion decision, for 1,000
 * and 5,000 new labels: UTKFace train-split images (../shared/data/utkface) stored in a temp
 * SQLite database as LABELED faces (whole-chip boxes), the TRAIN job run by an in-process worker
 * (the same runner as `npm run worker`). Each size runs three times: a cold feature cache (every
 * face decoded, cropped and passed through both backbones, plain and mirrored, inside the round),
 * a warm one (same labels again, features cached) — the baseline measured in the same run — and
 * "prefetched": a fresh cache that the worker's background FEATURES job (what an idle worker
 * queues as labels arrive) fills first, untimed, for all but the last `--recent` (20) labels, which are saved
 * just before the round is started and timed (the round extracts those).
 * Goal: < 60 s for 1,000 labels. Exits 0 with a message when the data set is absent.
 *
 * The bench saves all its labels at once, so the prefetch's busy rule (wait for a lull while
 * labels arrive faster than FACET_FEATURE_PREFETCH_BUSY_PER_MIN) is lifted for the prefetch: as if
 * the labels had come in over the past hours.
 *
 *   npm run bench:round [-- --sizes 1000,5000] [--recent 20] [--modes cold,warm,prefetched]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

type Mode = 'cold' | 'warm' | 'prefetched';
type Row = { size: number; cache: Mode; seconds: number; outcome: string; featureSeconds: number; trainSeconds: number; extracted: number; heldOut: number; mae: string };

async function main() {
  const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,5000' }, recent: { type: 'string', default: '20' }, modes: { type: 'string', default: 'cold,warm,prefetched' }, keep: { type: 'boolean', default: false } } });
  const recentCount = Number(values.recent);
  const modes = new Set(values.modes!.split(','));
  const sizes = values.sizes!.split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
  const { loadUtkFace, DatasetMissingError } = await import('../workers/trainer/utkface');
  let records;
  try {
    records = loadUtkFace().filter((r) => r.split === 'train');
  } catch (error) {
    if (error instanceof DatasetMissingError) {
      console.log(`bench:round skipped: ${error.message}`);
      return;
    }
    throw error;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'facet-bench-round-'));
  process.env.FACET_DATA_DIR = tmp;
  process.env.DATABASE_URL = `file:${path.join(tmp, 'facet.db')}`;
  process.env.FACET_ADMIN_PASSWORD ??= 'bench-admin-password';
  const { getDb, closeDb } = await import('../lib/server/db');
  const { normalizeImage } = await import('../lib/server/ingest/normalize-image');
  const { storeImage } = await import('../lib/api/images/store-image');
  const { startRound } = await import('../lib/api/models/start-round');
  const { RoundParams } = await import('../lib/api/models/schemas');
  const { ageToBin } = await import('../lib/domain/age-bins');
  const { modelStoreRoot } = await import('../lib/server/models/store');
  const { runOneJob, workerId } = await import('../workers/runner');
  const { runTrainRound } = await import('../workers/jobs/train-round');
  const { queueFeaturesIfNeeded, runFeaturesJob } = await import('../workers/jobs/prefetch-features');
  const prisma = await getDb();
  const dataset = await prisma.dataset.create({ data: { name: 'UTKFace bench' } });
  const rows: Row[] = [];
  const faceIds: string[] = [];
  // Spread the picks over the whole train split (deterministic).
  const step = Math.max(1, Math.floor(records.length / sizes.at(-1)!));
  const picks = records.filter((_, i) => i % step === 0);
  const RACE = ['WHITE', 'BLACK', 'ASIAN', 'INDIAN', 'OTHER'] as const;

  async function seedUpTo(n: number) {
    const t0 = performance.now();
    for (const r of picks.slice(faceIds.length, n)) {
      const normalized = await normalizeImage(r.file);
      if (!normalized.ok) continue;
      const { imageId } = await storeImage(prisma, normalized, path.basename(r.file), { datasetId: dataset.id, uploadedById: null });
      const face = await prisma.face.create({
        data: {
          imageId, x: 0, y: 0, w: normalized.width, h: normalized.height, boxSource: 'IMPORTED', status: 'LABELED',
          age: r.age, ageBin: ageToBin(r.age), gender: r.gender === 0 ? 'MALE' : r.gender === 1 ? 'FEMALE' : 'UNKNOWN',
          race: (RACE as readonly string[]).includes(r.race ?? '') ? (r.race as (typeof RACE)[number]) : 'UNKNOWN', labeledAt: new Date(),
        },
        select: { id: true },
      });
      faceIds.push(face.id);
    }
    console.log(`seeded ${faceIds.length} labeled faces (${((performance.now() - t0) / 1000).toFixed(0)} s, not timed)`);
  }

  /** Back to r0 only, every face labeled again now: the same round can run again. */
  async function resetModels() {
    await prisma.job.deleteMany({});
    await prisma.modelVersion.deleteMany({ where: { NOT: { version: 'r0' } } });
    await prisma.modelVersion.updateMany({ where: { version: 'r0' }, data: { active: true, status: 'PROMOTED' } });
    rmSync(modelStoreRoot(), { recursive: true, force: true });
    await prisma.face.updateMany({ where: { status: 'LABELED' }, data: { labeledAt: new Date() } });
  }

  /**
   * What an idle worker does as labels arrive: queue the FEATURES job and run it to the end
   * (untimed). The last `--recent` faces are labeled only after it (just before the round starts),
   * as if saved in the minute before: the round extracts those itself.
   */
  async function prefetch(size: number) {
    process.env.FACET_FEATURE_PREFETCH_SETTLE_MS = '0';
    process.env.FACET_FEATURE_PREFETCH_BUSY_PER_MIN = String(Number.MAX_SAFE_INTEGER); // every label was saved just now
    const recent = recentCount > 0 ? faceIds.slice(0, size).slice(-recentCount) : [];
    await prisma.face.updateMany({ where: { id: { in: recent } }, data: { status: 'PREDICTED' } });
    const t0 = performance.now();
    const id = await queueFeaturesIfNeeded(prisma, Infinity);
    if (!id) throw new Error('no features job was queued');
    while (await runOneJob(prisma, workerId(), { FEATURES: runFeaturesJob }));
    const job = await prisma.job.findUniqueOrThrow({ where: { id } });
    const r = (job.result ?? {}) as { extracted?: number; msPerFace?: number };
    const seconds = (performance.now() - t0) / 1000;
    prefetches.push({ size, seconds, extracted: r.extracted ?? 0, msPerFace: r.msPerFace ?? NaN });
    console.log(`${size} labels: background features job ${job.status}, ${r.extracted} faces in ${seconds.toFixed(1)} s (${r.msPerFace} ms/face; not part of the round); then ${recent.length} more labeled`);
    await prisma.face.updateMany({ where: { id: { in: recent } }, data: { status: 'LABELED', labeledAt: new Date() } });
  }
  const prefetches: { size: number; seconds: number; extracted: number; msPerFace: number }[] = [];

  async function round(size: number, cache: Mode) {
    const owner = workerId();
    const t0 = performance.now();
    const { job } = await startRound(prisma, RoundParams.parse({}), null);
    await runOneJob(prisma, owner, { TRAIN: (ctx) => runTrainRound(ctx) });
    const seconds = (performance.now() - t0) / 1000;
    const done = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    const version = await prisma.modelVersion.findFirst({ where: { jobId: job.id } });
    const counts = (version?.dataCounts ?? {}) as { featureSeconds?: number; trainSeconds?: number; extracted?: number; heldOut?: number };
    const result = (done.result ?? {}) as { promoted?: boolean; reason?: string; heldOut?: { ageMae: number }; parentHeldOut?: { ageMae: number } };
    const outcome = done.status !== 'SUCCEEDED' ? `${done.status}: ${done.error}` : result.promoted ? 'promoted' : 'rejected by the gate';
    const row: Row = {
      size, cache, seconds, outcome,
      featureSeconds: counts.featureSeconds ?? NaN, trainSeconds: counts.trainSeconds ?? NaN, extracted: counts.extracted ?? 0, heldOut: counts.heldOut ?? 0,
      mae: result.heldOut ? `${result.heldOut.ageMae.toFixed(2)} vs ${result.parentHeldOut?.ageMae.toFixed(2)}` : '–',
    };
    rows.push(row);
    console.log(`${size} labels, ${cache} cache: ${seconds.toFixed(1)} s — ${outcome} (features ${row.featureSeconds.toFixed(1)} s for ${row.extracted} extracted, training ${row.trainSeconds.toFixed(1)} s; held-out ${row.heldOut}, MAE ${row.mae})`);
    if (result.reason) console.log(`   gate: ${result.reason}`);
  }

  for (const size of sizes) {
    await seedUpTo(size);
    process.env.FACET_FEATURE_CACHE_DIR = path.join(tmp, `features-${size}`); // cold: a cache of its own
    if (modes.has('cold') || modes.has('warm')) {
      await resetModels();
      await round(size, 'cold');
    }
    if (modes.has('warm')) {
      await resetModels();
      await round(size, 'warm');
    }
    if (modes.has('prefetched')) {
      process.env.FACET_FEATURE_CACHE_DIR = path.join(tmp, `features-${size}-prefetched`); // empty again
      await resetModels();
      await prefetch(size);
      await round(size, 'prefetched');
    }
  }
  await closeDb();
  console.log('\n| new labels | cache | start → decision | features (extracted) | training | outcome | ratio to warm |');
  console.log('|---:|---|---:|---:|---:|---|---:|');
  for (const r of rows) {
    const warm = rows.find((w) => w.size === r.size && w.cache === 'warm');
    console.log(`| ${r.size} | ${r.cache} | ${r.seconds.toFixed(1)} s | ${r.featureSeconds.toFixed(1)} s (${r.extracted}) | ${r.trainSeconds.toFixed(1)} s | ${r.outcome} | ${warm ? `${(r.seconds / warm.seconds).toFixed(2)}×` : '–'} |`);
  }
  for (const r of rows.filter((r) => r.cache === 'cold' && r.extracted > 0)) console.log(`cold extraction inside the round, ${r.size} faces: ${((1000 * r.featureSeconds) / r.extracted).toFixed(0)} ms/face`);
  for (const p of prefetches) console.log(`background features job, ${p.size} faces: ${p.seconds.toFixed(1)} s, ${p.msPerFace} ms/face (before the round, untimed)`);
  const at = (mode: Mode) => rows.find((r) => r.size === 1000 && r.cache === mode)?.seconds.toFixed(1) ?? '–';
  if (rows.some((r) => r.size === 1000)) console.log(`\ngoal < 60 s for 1,000 labels: cold ${at('cold')} s, warm ${at('warm')} s, prefetched ${at('prefetched')} s (${os.cpus().length} cores, tfjs wasm, one thread; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  if (!values.keep) rmSync(tmp, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
