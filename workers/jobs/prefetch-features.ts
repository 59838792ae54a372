/**
 * FEATURES job: backbone features for human-labeled faces, computed in the worker's idle time so
 * that a round (TRAIN) finds them cached and only extracts the faces labeled in the last minutes.
 *
 * - Queued by an idle worker (`queueFeaturesIfNeeded`, from the work loop) when labeled faces lack
 *   cached features for the served model's backbones: at most one queued or running at a time,
 *   never while a round is queued or running (the round extracts what it needs itself).
 * - Claimed only when no other job is runnable (runner's BACKGROUND_KINDS), and it yields — ends
 *   early, keeping what it extracted — as soon as another job is waiting or a round is running.
 * - Robust to being killed (the cache repairs torn appends; the job is retried under its lease),
 *   to faces or images deleted meanwhile (their faces are skipped), and to a changed model.
 */
import type { PrismaClient } from '@/lib/server/db';
import { LABELED_STATUSES, TRAINING_FACES } from '@/lib/api/models/schemas';
import { readManifest } from '@/lib/ml/model.node';
import { blobs } from '@/lib/server/blobs';
import { QUEUE_LOCK, withQueueLock } from '@/lib/server/jobs/queue';
import { locate, resolveActive } from '@/lib/server/models/store';
import { type FeatureLayout, layoutOf } from '../trainer/dataset';
import { ensureFaceFeatures, faceFeatureRoot, missingFeatureKeys, storedFace } from '../trainer/face-features';
import { VARIANTS } from '../trainer/variants';
import type { JobContext } from '../runner';
import { featureCacheBase } from './train-round';

const MODEL = 'agegender';
const env = (name: string, fallback: number) => (process.env[name] !== undefined && process.env[name] !== '' ? Number(process.env[name]) : fallback);

/** What the worker's next round needs: the served version's features plus a from-scratch round's. */
async function targetLayout(prisma: PrismaClient, name: string): Promise<{ layout: FeatureLayout; cropMargin: number } | null> {
  const { served } = await resolveActive(prisma, name);
  if (!served) return null;
  const manifest = readManifest(locate(served).dir);
  const refs = [...new Set([...manifest.heads.featureLayout.map((f) => `${f.backbone}:${f.node}`), ...VARIANTS.r0.features])];
  return { layout: layoutOf(refs), cropMargin: manifest.preprocessing.cropMargin };
}

/** The faces a round trains on, in the feature cache's terms (same query as the round's). */
async function labeledFaces(prisma: PrismaClient) {
  const rows = await prisma.face.findMany({
    where: TRAINING_FACES,
    select: { x: true, y: true, w: true, h: true, labeledAt: true, image: { select: { contentHash: true, storageKey: true } } },
    orderBy: { id: 'asc' },
  });
  return rows.map((f) => ({ ...storedFace(f), labeledAt: f.labeledAt }));
}

/** Is anything else waiting (or a round running, which needs the cache's writer lock)? Then features step aside. */
async function otherWorkWaiting(prisma: PrismaClient, now = new Date()): Promise<boolean> {
  const n = await prisma.job.count({
    where: {
      kind: { not: 'FEATURES' },
      cancelRequested: false,
      OR: [
        { status: 'QUEUED', runAfter: { lte: now } },
        { status: 'RUNNING', kind: 'TRAIN' },
        { status: 'RUNNING', leaseExpiresAt: { lt: now } },
      ],
    },
  });
  return n > 0;
}

/** How many labeled faces lack cached features for the served model (null: no served version). */
export async function featuresMissing(prisma: PrismaClient, name = MODEL): Promise<number | null> {
  const target = await targetLayout(prisma, name);
  if (!target) return null;
  const faces = await labeledFaces(prisma);
  return missingFeatureKeys(faces.map((f) => f.key), target.layout, target.cropMargin, faceFeatureRoot(featureCacheBase())).length;
}

export async function runFeaturesJob(ctx: JobContext) {
  const { prisma, signal } = ctx;
  const name = ((ctx.job.params as { name?: string } | null)?.name ?? MODEL) as string;
  const target = await targetLayout(prisma, name);
  if (!target) return { extracted: 0, note: `no served version of ${name}` };
  const faces = await labeledFaces(prisma);
  const root = faceFeatureRoot(featureCacheBase());
  const missing = new Set(missingFeatureKeys(faces.map((f) => f.key), target.layout, target.cropMargin, root));
  const todo = faces.filter((f) => missing.has(f.key));
  await ctx.log(`${todo.length} of ${faces.length} labeled faces lack cached features`);

  // Stop between steps on cancel / lease loss (ctx.signal) or when other work is waiting.
  const stop = new AbortController();
  let yielded = false;
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort);
  const poll = setInterval(() => {
    otherWorkWaiting(prisma).then((waiting) => {
      if (waiting && !stop.signal.aborted) {
        yielded = true;
        stop.abort();
      }
    }, () => {});
  }, env('FACET_FEATURE_YIELD_POLL_MS', 1000));
  let done = 0;
  try {
    const result = await ensureFaceFeatures(todo, {
      layout: target.layout,
      cropMargin: target.cropMargin,
      root,
      loadImage: (key) => blobs().get(key),
      signal: stop.signal,
      skipUnreadable: true,
      batchSize: env('FACET_FEATURE_BATCH', 32),
      log: (m) => void ctx.log(m),
      progress: (n, total) => {
        done = n;
        ctx.progress(n / total, `features ${n}/${total}`);
      },
    });
    const ms = result.extracted ? result.ms / result.extracted : 0;
    await ctx.log(`features cached for ${result.extracted} faces (${(result.ms / 1000).toFixed(1)} s, ${ms.toFixed(0)} ms/face)${result.skipped.length ? `; ${result.skipped.length} skipped (image unreadable)` : ''}`);
    return { extracted: result.extracted, skipped: result.skipped.length, skippedKeys: result.skipped.slice(0, 1000), labeled: faces.length, msPerFace: Math.round(ms) };
  } catch (error) {
    if (!yielded || signal.aborted) throw error;
    await ctx.log(`yielded to other work after ${done} of ${todo.length} faces; the rest follows when the worker is idle again`);
    return { extracted: done, labeled: faces.length, yielded: true };
  } finally {
    clearInterval(poll);
    signal.removeEventListener('abort', onAbort);
  }
}

let lastCheck = { at: 0, signature: '', clean: false };
let lastPoll = 0;

/**
 * Called by an idle worker: queue one FEATURES job when labeled faces lack cached features.
 * Waits for `FACET_FEATURE_PREFETCH_IDLE_MS` of idleness (default 3 s), looks at the labels at most
 * every `FACET_FEATURE_PREFETCH_CHECK_MS` (5 s) and, unless they changed, at the cache at most
 * every 5 minutes. A face labeled in the last
 * `FACET_FEATURE_PREFETCH_SETTLE_MS` (default 20 s) waits for company (up to 16 faces), so an
 * annotator's steady saves make one job per batch, not one per face. While labels arrive faster
 * than `FACET_FEATURE_PREFETCH_BUSY_PER_MIN` (default 300 a minute: ~40% of a core at ~80 ms a face)
 * it waits for a lull: on two cores the extraction would otherwise compete with the web server that
 * the annotators are waiting on (bench:load, 50 annotators: save p95 ~150 ms → ~400 ms).
 * `FACET_FEATURE_PREFETCH=0` turns it off. Returns the queued job's id, or null.
 */
export async function queueFeaturesIfNeeded(prisma: PrismaClient, idleForMs: number, now = Date.now()): Promise<string | null> {
  if (process.env.FACET_FEATURE_PREFETCH === '0') return null;
  if (idleForMs < env('FACET_FEATURE_PREFETCH_IDLE_MS', 3000)) return null;
  const checkMs = env('FACET_FEATURE_PREFETCH_CHECK_MS', 5000);
  if (now - lastPoll < checkMs) return null;
  lastPoll = now;
  const stats = await prisma.face.aggregate({
    where: TRAINING_FACES,
    _count: { _all: true },
    _max: { labeledAt: true, reviewedAt: true },
  });
  if (stats._count._all === 0) return null;
  const signature = `${stats._count._all}|${stats._max.labeledAt?.getTime()}|${stats._max.reviewedAt?.getTime()}`;
  if (lastCheck.clean && lastCheck.signature === signature && now - lastCheck.at < 300_000) return null;
  if (await prisma.job.count({ where: { kind: { in: ['FEATURES', 'TRAIN'] }, status: { in: ['QUEUED', 'RUNNING'] } } })) return null;
  const lastMinute = await prisma.face.count({ where: { status: { in: [...LABELED_STATUSES] }, labeledAt: { gt: new Date(now - 60_000) } } });
  if (lastMinute >= env('FACET_FEATURE_PREFETCH_BUSY_PER_MIN', 300)) return null;
  const target = await targetLayout(prisma, MODEL);
  if (!target) return null;
  const faces = await labeledFaces(prisma);
  const missing = new Set(missingFeatureKeys(faces.map((f) => f.key), target.layout, target.cropMargin, faceFeatureRoot(featureCacheBase())));
  // Faces the last job could not read (image gone) are not retried until that job is gone;
  // a job that failed for good holds off the next one for ten minutes.
  const last = await prisma.job.findFirst({ where: { kind: 'FEATURES', status: { in: ['SUCCEEDED', 'FAILED'] } }, orderBy: { createdAt: 'desc' }, select: { status: true, result: true, finishedAt: true } });
  for (const key of (last?.result as { skippedKeys?: string[] } | null)?.skippedKeys ?? []) missing.delete(key);
  lastCheck = { at: now, signature, clean: missing.size === 0 };
  if (missing.size === 0) return null;
  if (last?.status === 'FAILED' && (last.finishedAt?.getTime() ?? 0) > now - 600_000) return null;
  const settleMs = env('FACET_FEATURE_PREFETCH_SETTLE_MS', 20_000);
  const settled = faces.some((f) => missing.has(f.key) && (f.labeledAt?.getTime() ?? 0) < now - settleMs);
  if (!settled && missing.size < 16) return null;
  return enqueueOnce(prisma, missing.size);
}

/** Insert the job under a database lock (as startRound does), so two idle workers never queue two. */
async function enqueueOnce(prisma: PrismaClient, missing: number): Promise<string | null> {
  const id = await withQueueLock(prisma, QUEUE_LOCK.features, async (tx) => {
    const busy = await tx.job.count({ where: { kind: { in: ['FEATURES', 'TRAIN'] }, status: { in: ['QUEUED', 'RUNNING'] } } });
    if (busy > 0) return null;
    const job = await tx.job.create({ data: { kind: 'FEATURES', params: { name: MODEL, missing }, maxAttempts: 3 }, select: { id: true } });
    return job.id;
  });
  if (id) {
    // Keep the job table small: finished FEATURES jobs beyond the latest 10 go.
    const old = await prisma.job.findMany({ where: { kind: 'FEATURES', status: { in: ['SUCCEEDED', 'FAILED', 'CANCELLED'] } }, orderBy: { createdAt: 'desc' }, skip: 10, select: { id: true } });
    if (old.length) await prisma.job.deleteMany({ where: { id: { in: old.map((j) => j.id) } } });
  }
  return id;
}
