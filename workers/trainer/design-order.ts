/**
 * The order in which the annotation queue should ask for labels, by greedy V-optimal design
 * (lib/domain/experimental-design.ts) on the faces' backbone features: the same pipeline as
 * bench:al's design policies — columns standardised over every face given, projected on the top
 * principal components (not whitened), then the greedy picks given the labeled faces.
 */
import { type FeatureRows, gram, pick } from '../../lib/domain/experimental-design';
import { columnStats, standardize } from './dataset';
import { projectRows } from './pca';

export type DesignOrderInput = {
  /** Row-major features of the labeled faces and of the queued (unlabeled) faces, `dims` wide. */
  labeled: Float32Array;
  queued: Float32Array;
  dims: number;
  /** How many queued faces to order (the rest keep their place). */
  picks: number;
  pcaDims?: number;
  lambda?: number;
};

/**
 * Shared by the worker's queue (workers/jobs/design-queue.ts) and bench:al's design policies, so the
 * bench measures the product: prior precision λ, PCA width, picks per re-score, and the labeled
 * count from which the queue is back to uncertainty order.
 */
export const DESIGN_DEFAULTS = { pcaDims: 256, lambda: 10, picks: 1000, until: 1000 } as const;

/** Indices into the queued faces, most informative first. */
export function designOrder(input: DesignOrderInput): number[] {
  const { dims } = input;
  const nL = input.labeled.length / dims;
  const nQ = input.queued.length / dims;
  if (!Number.isInteger(nL) || !Number.isInteger(nQ)) throw new RangeError(`feature rows are not ${dims} wide`);
  if (nQ === 0 || input.picks <= 0) return [];
  const all = new Float32Array((nL + nQ) * dims);
  all.set(input.labeled);
  all.set(input.queued, nL * dims);
  const { mean, std } = columnStats(all, nL + nQ, dims);
  let rows: FeatureRows = { x: standardize(all, dims, mean, std), dims };
  // n rows span at most n dimensions: a small queue is projected on all of them (exact, and far cheaper than d × d).
  const pcaDims = Math.min(input.pcaDims ?? DESIGN_DEFAULTS.pcaDims, nL + nQ);
  if (pcaDims < dims) rows = projectRows(rows, pcaDims);
  const poolGram = gram(rows, Array.from({ length: nL + nQ }, (_, i) => i));
  return pick({
    table: rows,
    labeled: Array.from({ length: nL }, (_, i) => i),
    candidates: Array.from({ length: nQ }, (_, i) => nL + i),
    poolGram,
    lambda: input.lambda ?? DESIGN_DEFAULTS.lambda,
    k: Math.min(input.picks, nQ),
  });
}
