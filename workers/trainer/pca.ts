/**
 * Principal components of a feature table by subspace iteration (tfjs matmuls for the big products,
 * Gram–Schmidt in float64 for the k × d basis). Unsupervised — it needs no labels, so projecting
 * the whole pool is fair in bench:al's simulation — and it makes each round's retraining, pool
 * scoring and the queue's design order (design-order.ts) several times cheaper on two cores. Not exact eigenvectors: a subspace that holds the
 * top-k variance, which is all a projection needs.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureRows } from '../../lib/domain/experimental-design';

/** Orthonormalise the k columns of a d × k row-major matrix in place (modified Gram–Schmidt). */
export function orthonormalizeColumns(q: Float64Array, d: number, k: number): void {
  for (let j = 0; j < k; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[i * k + j] * q[i * k + p];
      for (let i = 0; i < d; i++) q[i * k + j] -= dot * q[i * k + p];
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += q[i * k + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < d; i++) q[i * k + j] /= norm;
  }
}

/** d × k basis of the top-k principal subspace of the (already centred) rows of x. */
export function principalBasis(x: Float32Array, n: number, d: number, k: number, iterations = 12, seed = 1): Float32Array {
  if (k > d) throw new RangeError(`cannot keep ${k} of ${d} dimensions`);
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const cov = tf.tidy(() => {
    const X = tf.tensor2d(x, [n, d]);
    return tf.div(tf.matMul(tf.transpose(X), X), n) as tf.Tensor2D;
  });
  const q = Float64Array.from({ length: d * k }, rand);
  orthonormalizeColumns(q, d, k);
  for (let it = 0; it < iterations; it++) {
    const next = tf.tidy(() => tf.matMul(cov, tf.tensor2d(Float32Array.from(q), [d, k])).dataSync());
    q.set(next);
    orthonormalizeColumns(q, d, k);
  }
  cov.dispose();
  return Float32Array.from(q);
}

/**
 * The table projected on its top-k principal subspace (basis fitted on at most `sample` rows),
 * centred and scaled by ONE factor so the mean component variance is 1. Not whitened: whitening
 * gives the low-variance (mostly noise) components the same weight as the top ones, which costs
 * several years of MAE with a few hundred labels (measured).
 */
export function projectRows<T extends FeatureRows>(table: T, k: number, opts: { iterations?: number; sample?: number } = {}): T {
  const n = table.x.length / table.dims;
  const d = table.dims;
  const sample = Math.min(n, opts.sample ?? 6000);
  const step = n / sample;
  const rows = new Float32Array(sample * d);
  for (let i = 0; i < sample; i++) {
    const r = Math.floor(i * step);
    rows.set(table.x.subarray(r * d, (r + 1) * d), i * d);
  }
  const basis = principalBasis(rows, sample, d, k, opts.iterations);
  const out = Float32Array.from(tf.tidy(() => tf.matMul(tf.tensor2d(table.x, [n, d]), tf.tensor2d(basis, [d, k])).dataSync() as Float32Array));
  const mean = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) mean[c] += out[i * k + c] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) variance += (out[i * k + c] - mean[c]) ** 2;
  const scale = 1 / Math.sqrt(variance / (n * k) || 1);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = (out[i * k + c] - mean[c]) * scale;
  return { ...table, x: out, dims: k };
}
