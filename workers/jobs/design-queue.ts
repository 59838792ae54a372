/**
 * The annotation queue's design picks, set by the RESCORE job once the queue is re-predicted: while
 * fewer than `FACET_DESIGN_UNTIL` (default 1,000) faces are labeled, the first `FACET_DESIGN_PICKS`
 * (default 1,000; 0 = off) queued faces in greedy V-optimal design order (workers/trainer/
 * design-order.ts: the faces whose labels most cut the model's uncertainty over the whole queue,
 * given what is labeled) get priorities above every model-uncertainty score, 1 + (N − rank) / N, so
 * the queue serves them first (its random slice and diversity rule still apply). bench:al's
 * `design-facet` policy measures exactly this against random sampling: design's lead is in the first
 * labels, so from `FACET_DESIGN_UNTIL` labels on the queue is back to its uncertainty order.
 *
 * Only faces predicted by the version being served take part (their features are cached by the
 * re-score); labeled faces' features come from the cache the rounds and the FEATURES job fill
 * (missing ones are extracted; unreadable images are skipped). Picks left from an earlier design
 * drop back to their model-uncertainty score first.
 */
import type { ModelManifest } from '@/lib/ml/manifest';
import { LABELED_STATUSES } from '@/lib/api/models/schemas';
import { uncertainty } from '@/lib/domain/uncertainty';
import { blobs } from '@/lib/server/blobs';
import { cachedKeys, featureMatrix, layoutDims } from '../trainer/dataset';
import { DESIGN_DEFAULTS, designOrder } from '../trainer/design-order';
import { ensureFaceFeatures, faceFeatureRoot, storedFace } from '../trainer/face-features';
import type { JobContext } from '../runner';
import { updateInChunks } from './chunked-updates';
import { featureCacheBase } from './train-round';

export const DESIGN_WHY = 'unlike the faces labeled so far: its label teaches the model most';

const envCount = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
};
export const designPicks = () => envCount('FACET_DESIGN_PICKS', DESIGN_DEFAULTS.picks);
/** Labeled faces from which on the queue is back to uncertainty order (bench:al: design's lead is early). */
export const designUntil = () => envCount('FACET_DESIGN_UNTIL', DESIGN_DEFAULTS.until);

export async function prioritiseByDesign(ctx: JobContext, manifest: ModelManifest, tag: string, picks = designPicks(), until = designUntil()): Promise<{ designed: number; labeled: number; skipped?: string }> {
  const { prisma, signal } = ctx;
  await resetPicks(ctx);
  if (picks === 0) return { designed: 0, labeled: 0, skipped: 'off (FACET_DESIGN_PICKS=0)' };
  const nLabeled = await prisma.face.count({ where: { status: { in: [...LABELED_STATUSES] } } });
  if (nLabeled >= until) return { designed: 0, labeled: nLabeled, skipped: `${nLabeled} faces are labeled (FACET_DESIGN_UNTIL ${until}): the queue serves by uncertainty` };
  const select = { id: true, x: true, y: true, w: true, h: true, image: { select: { contentHash: true, storageKey: true } } } as const;
  const [queuedRows, labeledRows] = await Promise.all([
    prisma.face.findMany({ where: { status: 'PREDICTED', predModel: tag }, select, orderBy: { id: 'asc' } }),
    prisma.face.findMany({ where: { status: { in: [...LABELED_STATUSES] } }, select, orderBy: { id: 'asc' } }),
  ]);
  if (queuedRows.length === 0) return { designed: 0, labeled: labeledRows.length, skipped: 'empty queue' };
  const stored = (rows: typeof queuedRows) => rows.map((f) => ({ id: f.id, ...storedFace(f) }));
  const queued = stored(queuedRows);
  const labeled = stored(labeledRows);
  const layout = manifest.heads.featureLayout;
  const { caches } = await ensureFaceFeatures([...labeled, ...queued], {
    layout,
    cropMargin: manifest.preprocessing.cropMargin,
    root: faceFeatureRoot(featureCacheBase()),
    loadImage: (key) => blobs().get(key),
    skipUnreadable: true,
    signal,
    log: (m) => void ctx.log(`design: ${m}`),
  });
  const view = manifest.preprocessing.flipTta ? 'mean' : 'plain';
  const have = new Set(cachedKeys([...labeled, ...queued].map((f) => f.key), caches));
  const q = queued.filter((f) => have.has(f.key));
  const l = labeled.filter((f) => have.has(f.key));
  signal.throwIfAborted();
  const order = designOrder({
    labeled: featureMatrix(l.map((f) => f.key), layout, caches, view),
    queued: featureMatrix(q.map((f) => f.key), layout, caches, view),
    dims: layoutDims(layout),
    picks,
  });
  const counts = await updateInChunks(prisma, order, (i, rank) =>
    prisma.face.updateMany({
      where: { id: q[i].id, status: 'PREDICTED', predModel: tag },
      data: { uncertainty: 1 + (order.length - rank) / order.length, uncertaintyWhy: DESIGN_WHY },
    }),
  );
  return { designed: counts.reduce((a, b) => a + b, 0), labeled: l.length };
}

/** Earlier design picks (priority > 1) go back to their model-uncertainty score before the new picks are set. */
async function resetPicks(ctx: JobContext) {
  const stale = await ctx.prisma.face.findMany({
    where: { status: 'PREDICTED', uncertainty: { gt: 1 } },
    select: { id: true, predGender: true, predGenderConf: true, predAgeProbs: true, predDetScore: true },
  });
  await updateInChunks(ctx.prisma, stale, (f) => {
    const pMale = f.predGender && f.predGenderConf !== null ? (f.predGender === 'MALE' ? f.predGenderConf : 1 - f.predGenderConf) : null;
    const u = uncertainty({ pMale, ageProbs: Array.isArray(f.predAgeProbs) ? (f.predAgeProbs as number[]) : null, detScore: f.predDetScore });
    return ctx.prisma.face.updateMany({ where: { id: f.id, status: 'PREDICTED', uncertainty: { gt: 1 } }, data: { uncertainty: u.score, uncertaintyWhy: u.why } });
  });
}
