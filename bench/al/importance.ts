/**
 * Importance weights against an informed policy's sampling bias: its labeled faces are not a sample
 * of the pool (design asks for the 60+ at twice their share), and heads fitted to them as they are
 * learn their mix, not the pool's. A label-free density ratio: the pool is clustered (k-means on
 * the first `dims` principal components), and a labeled face weighs its cluster's share of the pool
 * over its cluster's share of the labeled faces, clipped to [1/clip, clip] and scaled to mean 1.
 */
import { type Rng, seededRng } from '../../lib/domain/queue-policy';
import { type FeatureTable, rowsOf } from './data';

export type ClusterOptions = { clusters: number; dims: number; iterations: number; clip: number; seed: number };
export const DEFAULT_CLUSTERS: ClusterOptions = { clusters: 24, dims: 32, iterations: 15, clip: 5, seed: 11 };

/** Lloyd's k-means on the rows of `x` (n × dims), k-means++ seeding; returns each row's cluster. */
export function kMeans(x: Float32Array, n: number, dims: number, k: number, iterations: number, rng: Rng): Int32Array {
  const centres = new Float64Array(k * dims);
  const dist = new Float64Array(n).fill(Infinity);
  const sq = (i: number, c: number) => {
    let s = 0;
    for (let d = 0; d < dims; d++) {
      const v = x[i * dims + d] - centres[c * dims + d];
      s += v * v;
    }
    return s;
  };
  for (let c = 0; c < k; c++) {
    // k-means++: the first centre at random, each next one drawn in proportion to the squared distance.
    let i = Math.floor(rng() * n);
    if (c > 0) {
      const total = dist.reduce((a, b) => a + b, 0);
      let u = rng() * total;
      for (i = 0; i < n - 1 && (u -= dist[i]) > 0; i++);
    }
    for (let d = 0; d < dims; d++) centres[c * dims + d] = x[i * dims + d];
    for (let r = 0; r < n; r++) dist[r] = Math.min(dist[r], sq(r, c));
  }
  const assign = new Int32Array(n);
  for (let it = 0; it < iterations; it++) {
    for (let r = 0; r < n; r++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const s = sq(r, c);
        if (s < bestD) [best, bestD] = [c, s];
      }
      assign[r] = best;
    }
    const count = new Float64Array(k);
    centres.fill(0);
    for (let r = 0; r < n; r++) {
      count[assign[r]]++;
      for (let d = 0; d < dims; d++) centres[assign[r] * dims + d] += x[r * dims + d];
    }
    for (let c = 0; c < k; c++) for (let d = 0; d < dims; d++) centres[c * dims + d] /= Math.max(1, count[c]);
  }
  return assign;
}

export class ClusterWeights {
  private readonly cluster = new Map<string, number>();
  private readonly poolShare: Float64Array;

  constructor(table: FeatureTable, pool: readonly string[], private readonly opts: ClusterOptions = DEFAULT_CLUSTERS) {
    const dims = Math.min(opts.dims, table.dims);
    const rows = rowsOf(table, pool);
    const x = new Float32Array(pool.length * dims);
    for (let i = 0; i < pool.length; i++) x.set(rows.subarray(i * table.dims, i * table.dims + dims), i * dims);
    const assign = kMeans(x, pool.length, dims, opts.clusters, opts.iterations, seededRng(opts.seed));
    this.poolShare = new Float64Array(opts.clusters);
    pool.forEach((key, i) => {
      this.cluster.set(key, assign[i]);
      this.poolShare[assign[i]] += 1 / pool.length;
    });
  }

  /** The weights of `labeled` (same order). */
  weights(labeled: readonly string[]): Float32Array {
    const share = new Float64Array(this.opts.clusters);
    const of = labeled.map((key) => {
      const c = this.cluster.get(key);
      if (c === undefined) throw new Error(`${key} is not in the pool`);
      share[c] += 1 / labeled.length;
      return c;
    });
    const clip = this.opts.clip;
    const raw = of.map((c) => Math.min(clip, Math.max(1 / clip, this.poolShare[c] / share[c])));
    const mean = raw.reduce((a, b) => a + b, 0) / (raw.length || 1);
    return Float32Array.from(raw, (w) => w / mean);
  }
}
