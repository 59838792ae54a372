/**
 * Query-by-committee for age in the active-learning bench (pure): `members` ridge regressions of
 * age on the (PCA) feature table, each fitted on a bootstrap resample of the labeled faces; a
 * face's disagreement is the standard deviation of the members' predicted ages, in years.
 *
 * Ridge, not Facet's heads: five heads per round would cost five fits (~10 s of CPU each on two
 * cores); five ridge solves on 256 dimensions cost about a second. The members only need to
 * disagree where the labeled faces leave age undetermined, which a linear committee on the same
 * features measures (bootstrap variance ≈ the leverage of the face times the residual noise near it).
 */
import { choleskySolve } from '../../lib/domain/cholesky';
import type { Rng } from '../../lib/domain/queue-policy';
import type { FeatureTable } from './data';

/**
 * Weighted ridge regression with an unpenalised intercept: minimises Σ wᵢ (yᵢ − b − xᵢ·β)² + λ|β|².
 * `rows` are row indices into `table`. Returns [β…, b] (length dims + 1).
 */
export function fitRidge(table: FeatureTable, rows: readonly number[], y: readonly number[], weights: readonly number[], lambda: number): Float64Array {
  const d = table.dims;
  const D = d + 1;
  const a = new Float64Array(D * D);
  const rhs = new Float64Array(D);
  const xi = new Float64Array(D);
  xi[d] = 1;
  rows.forEach((r, n) => {
    const w = weights[n];
    if (w === 0) return;
    for (let j = 0; j < d; j++) xi[j] = table.x[r * d + j];
    for (let i = 0; i < D; i++) {
      const wi = w * xi[i];
      rhs[i] += wi * y[n];
      for (let j = 0; j <= i; j++) a[i * D + j] += wi * xi[j];
    }
  });
  for (let i = 0; i < D; i++) for (let j = 0; j < i; j++) a[j * D + i] = a[i * D + j];
  for (let i = 0; i < d; i++) a[i * D + i] += lambda;
  a[d * D + d] += 1e-9; // the intercept is unpenalised; keeps the factorisation defined with no rows
  return choleskySolve(a, rhs, D);
}

export function predictRidge(table: FeatureTable, coef: Float64Array, row: number): number {
  const d = table.dims;
  let s = coef[d];
  for (let j = 0; j < d; j++) s += coef[j] * table.x[row * d + j];
  return s;
}

export type CommitteeOptions = { members: number; lambda: number };
export const DEFAULT_COMMITTEE: CommitteeOptions = { members: 5, lambda: 20 };

/**
 * The committee's age predictions for `keys`: mean and standard deviation (years) over `members`
 * bootstrap ridge fits on the labeled faces (`labeled` keys with their `ages`).
 */
export function committeeAges(table: FeatureTable, labeled: readonly string[], ages: readonly number[], keys: readonly string[], rng: Rng, opts: CommitteeOptions = DEFAULT_COMMITTEE): { mean: Float64Array; sd: Float64Array } {
  const rows = labeled.map((k) => table.rowOf.get(k)!);
  const targets = keys.map((k) => table.rowOf.get(k)!);
  const sum = new Float64Array(keys.length);
  const sum2 = new Float64Array(keys.length);
  for (let m = 0; m < opts.members; m++) {
    const counts = new Array<number>(rows.length).fill(0);
    for (let i = 0; i < rows.length; i++) counts[Math.floor(rng() * rows.length)]++;
    const coef = fitRidge(table, rows, ages, counts, opts.lambda);
    targets.forEach((r, i) => {
      const p = predictRidge(table, coef, r);
      sum[i] += p;
      sum2[i] += p * p;
    });
  }
  const M = opts.members;
  const mean = sum.map((s) => s / M);
  const sd = sum2.map((s2, i) => Math.sqrt(Math.max(0, s2 / M - mean[i] ** 2) * (M / Math.max(1, M - 1))));
  return { mean, sd };
}
