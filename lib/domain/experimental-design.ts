/**
 * Transductive experimental design (V-optimal, greedy), pure: pick the faces whose labels would
 * most reduce a Bayesian linear model's summed predictive variance over the whole pool. It needs no labels — only where the labeled faces already pin the model
 * down in feature space — so, unlike uncertainty sampling, it cannot be drawn to faces whose age
 * labels are noisy; it spends labels where the pool is dense and the labeled set is thin.
 *
 * With A = λI + Σ_labeled xxᵀ, B = A⁻¹ and S = Σ_pool xxᵀ, a label on z (relative noise ρ_z)
 * cuts tr(B S) by  zᵀBSBz / (ρ_z + zᵀBz).  Each greedy pick updates B by
 * Sherman–Morrison and both quadratic forms of every candidate in O(d) (see `pick`), so a round of
 * k picks over n candidates costs O(n d² + k (n d + d²)).
 */
import { spdInverse } from './cholesky';

/** A row-major matrix of feature rows (`x.length / dims` rows). */
export type FeatureRows = { x: Float32Array; dims: number };

/** Σ ωᵢ xᵢxᵢᵀ over `rows` of the table, plus `ridge`·I (d × d, float64). */
export function gram(table: FeatureRows, rows: readonly number[], weights?: ArrayLike<number>, ridge = 0): Float64Array {
  const d = table.dims;
  const g = new Float64Array(d * d);
  const x = new Float64Array(d);
  rows.forEach((r, n) => {
    const w = weights ? weights[n] : 1;
    for (let j = 0; j < d; j++) x[j] = table.x[r * d + j];
    for (let i = 0; i < d; i++) {
      const wi = w * x[i];
      if (wi === 0) continue;
      const row = i * d;
      for (let j = 0; j <= i; j++) g[row + j] += wi * x[j];
    }
  });
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) g[j * d + i] = g[i * d + j];
    g[i * d + i] += ridge;
  }
  return g;
}

function matMul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let p = 0; p < d; p++) {
      const aip = a[i * d + p];
      if (aip === 0) continue;
      for (let j = 0; j < d; j++) c[i * d + j] += aip * b[p * d + j];
    }
  }
  return c;
}

function matVec(m: Float64Array, v: Float64Array, d: number, out = new Float64Array(d)): Float64Array {
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += m[i * d + j] * v[j];
    out[i] = s;
  }
  return out;
}

export type DesignInput = {
  table: FeatureRows;
  /** Rows already labeled. */
  labeled: readonly number[];
  /** Candidate rows and their relative label noise ρ (default 1). */
  candidates: readonly number[];
  candidateNoise?: ArrayLike<number>;
  /** S = the pool's second-moment matrix (`gram(table, poolRows)`), shared across rounds. */
  poolGram: Float64Array;
  /** Prior precision (in the units of the noise). */
  lambda: number;
  k: number;
};

/** The k candidates (indices into `candidates`) a greedy V-optimal design picks, in order. */
export function pick(input: DesignInput): number[] {
  const { table, candidates, poolGram: S, k } = input;
  const d = table.dims;
  const n = candidates.length;
  const B = spdInverse(gram(table, input.labeled, undefined, input.lambda), d);
  const M = matMul(matMul(B, S, d), B, d);
  const q = new Float64Array(n); // cᵀBc
  const r = new Float64Array(n); // cᵀBSBc
  const c = new Float64Array(d);
  const t = new Float64Array(d);
  const rowOf = (i: number) => {
    const base = candidates[i] * d;
    for (let j = 0; j < d; j++) c[j] = table.x[base + j];
    return c;
  };
  for (let i = 0; i < n; i++) {
    rowOf(i);
    matVec(B, c, d, t);
    let s = 0;
    for (let j = 0; j < d; j++) s += c[j] * t[j];
    q[i] = s;
    matVec(M, c, d, t);
    s = 0;
    for (let j = 0; j < d; j++) s += c[j] * t[j];
    r[i] = s;
  }
  const noise = (i: number) => (input.candidateNoise ? input.candidateNoise[i] : 1);
  const taken = new Uint8Array(n);
  const picks: number[] = [];
  const u = new Float64Array(d);
  const su = new Float64Array(d);
  const w = new Float64Array(d);
  for (let step = 0; step < Math.min(k, n); step++) {
    let best = -1;
    let bestGain = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      const gain = r[i] / (noise(i) + q[i]);
      if (gain > bestGain) (bestGain = gain), (best = i);
    }
    if (best < 0) break;
    taken[best] = 1;
    picks.push(best);
    // A += zzᵀ/ρ:  B' = B − s uuᵀ with u = Bz, s = 1/(ρ + zᵀu); then for every candidate c,
    // cᵀB'c = q − s(c·u)²  and  cᵀB'SB'c = r − 2s(c·u)(c·w) + s²(uᵀSu)(c·u)²  with w = BSu.
    rowOf(best);
    matVec(B, c, d, u);
    let zu = 0;
    for (let j = 0; j < d; j++) zu += c[j] * u[j];
    const s = 1 / (noise(best) + zu);
    matVec(S, u, d, su);
    matVec(B, su, d, w);
    let uSu = 0;
    for (let j = 0; j < d; j++) uSu += u[j] * su[j];
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      const base = candidates[i] * d;
      let cu = 0;
      let cw = 0;
      for (let j = 0; j < d; j++) {
        const x = table.x[base + j];
        cu += x * u[j];
        cw += x * w[j];
      }
      q[i] -= s * cu * cu;
      r[i] += -2 * s * cu * cw + s * s * uSu * cu * cu;
    }
    for (let i = 0; i < d; i++) {
      const sui = s * u[i];
      for (let j = 0; j < d; j++) B[i * d + j] -= sui * u[j];
    }
  }
  return picks;
}
