/**
 * Representativeness for density-weighted active learning (pure): how typical a face is of the
 * pool, as the mean cosine similarity to its `neighbours` most similar faces in a fixed reference
 * sample of the pool (all faces against all would be 18k × 18k × 256 multiply-adds per run; a
 * 1,000-face reference is 20× cheaper and ranks faces the same way up to noise). Outliers —
 * odd crops, occlusions, faces unlike any other — get a low score, so multiplying an uncertainty
 * by it keeps a policy from spending its labels on them.
 */
import type { Rng } from '../../lib/domain/queue-policy';
import type { FeatureTable } from './data';

function norms(table: FeatureTable, rows: readonly number[]): Float64Array {
  const d = table.dims;
  return Float64Array.from(rows, (r) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += table.x[r * d + j] ** 2;
    return Math.sqrt(s) || 1;
  });
}

/** Mean cosine similarity of each of `keys` to its `neighbours` nearest faces in `reference` (itself excluded). */
export function representativeness(table: FeatureTable, keys: readonly string[], reference: readonly string[], neighbours = 20): Float64Array {
  const d = table.dims;
  const rows = keys.map((k) => table.rowOf.get(k)!);
  const refRows = reference.map((k) => table.rowOf.get(k)!);
  const rowNorm = norms(table, rows);
  const refNorm = norms(table, refRows);
  const m = Math.min(neighbours, refRows.length);
  const out = new Float64Array(rows.length);
  const top = new Float64Array(m);
  rows.forEach((r, i) => {
    top.fill(-Infinity);
    let minAt = 0;
    refRows.forEach((q, t) => {
      if (q === r) return;
      let s = 0;
      for (let j = 0; j < d; j++) s += table.x[r * d + j] * table.x[q * d + j];
      s /= rowNorm[i] * refNorm[t];
      if (s > top[minAt]) {
        top[minAt] = s;
        for (let u = 0; u < m; u++) if (top[u] < top[minAt]) minAt = u;
      }
    });
    let sum = 0;
    let n = 0;
    for (const s of top) if (s > -Infinity) (sum += s, n++);
    out[i] = n ? sum / n : 0;
  });
  return out;
}

/** Each value's percentile rank in `values`, in (0, 1] (ties share the highest rank). */
export function percentileRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    for (let t = i; t <= j; t++) out[order[t]] = (j + 1) / n;
    i = j + 1;
  }
  return out;
}

/**
 * Representativeness percentiles of a pool, computed once (the pool's features do not change
 * between rounds) against a seeded reference sample of it; later calls look faces up.
 */
export class PoolDensity {
  private readonly rank = new Map<string, number>();

  constructor(table: FeatureTable, pool: readonly string[], rng: Rng, referenceSize = 1000, neighbours = 20) {
    const reference = [...pool];
    const n = Math.min(referenceSize, reference.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(rng() * (reference.length - i));
      [reference[i], reference[j]] = [reference[j], reference[i]];
    }
    const ranks = percentileRanks(representativeness(table, pool, reference.slice(0, n), neighbours));
    pool.forEach((k, i) => this.rank.set(k, ranks[i]));
  }

  /** Whether every one of `keys` has a percentile here. */
  covers(keys: readonly string[]): boolean {
    return keys.length === this.rank.size && keys.every((k) => this.rank.has(k));
  }

  /** Percentile of the face's representativeness in the pool (1 = most typical). */
  of(key: string): number {
    const r = this.rank.get(key);
    if (r === undefined) throw new Error(`face ${key} was not in the pool the density was computed on`);
    return r;
  }
}
