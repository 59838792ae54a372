import { describe, expect, it } from 'vitest';
import { spdInverse } from '../../../lib/domain/cholesky';
import { type FeatureRows, gram, pick } from '../../../lib/domain/experimental-design';
import { seededRng } from '../../../lib/domain/queue-policy';

function table(n: number, d: number, seed = 3): FeatureRows {
  const rng = seededRng(seed);
  return { x: Float32Array.from({ length: n * d }, () => rng() * 2 - 1), dims: d };
}

/** tr(A⁻¹ S) with A = λI + Σ ω xxᵀ over `rows`: the pool's summed predictive variance, from scratch. */
function poolVariance(t: FeatureRows, rows: number[], weights: number[], S: Float64Array, lambda: number): number {
  const B = spdInverse(gram(t, rows, weights, lambda), t.dims);
  let tr = 0;
  for (let i = 0; i < t.dims; i++) for (let j = 0; j < t.dims; j++) tr += B[i * t.dims + j] * S[j * t.dims + i];
  return tr;
}

describe('V-optimal experimental design', () => {
  it('inverts a symmetric positive definite matrix', () => {
    const t = table(30, 6);
    const a = gram(t, [...Array(30).keys()], undefined, 0.5);
    const inv = spdInverse(a, 6);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        let s = 0;
        for (let p = 0; p < 6; p++) s += a[i * 6 + p] * inv[p * 6 + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
      }
    }
    expect(() => spdInverse(new Float64Array([1, 2, 2, 1]), 2)).toThrow(/positive definite/);
  });

  it('each greedy pick is the candidate that most cuts the pool variance, recomputed from scratch', () => {
    const t = table(60, 5);
    const pool = [...Array(60).keys()];
    const S = gram(t, pool);
    const labeled = [0, 1, 2];
    const candidates = pool.slice(3);
    const noise = Float64Array.from(candidates, (_, i) => 0.5 + (i % 4) * 0.5);
    const lambda = 2;
    const picks = pick({ table: t, labeled, candidates, candidateNoise: noise, poolGram: S, lambda, k: 4 });
    expect(new Set(picks).size).toBe(4);

    const rows = [...labeled];
    const weights = labeled.map(() => 1);
    for (const chosen of picks) {
      const before = poolVariance(t, rows, weights, S, lambda);
      const cuts = candidates.map((c, i) => (rows.includes(c) ? -Infinity : before - poolVariance(t, [...rows, c], [...weights, 1 / noise[i]], S, lambda)));
      const best = cuts.indexOf(Math.max(...cuts));
      expect(chosen).toBe(best);
      rows.push(candidates[chosen]);
      weights.push(1 / noise[chosen]);
    }
  });

  it('prefers a dense region the labeled set has not covered over an outlier or a covered region', () => {
    // Pool: 40 faces near e₁ (covered by 10 labels), 40 near e₂ (no labels), 1 far outlier on e₃.
    const d = 3;
    const rng = seededRng(5);
    const rows: number[][] = [];
    for (let i = 0; i < 40; i++) rows.push([1 + 0.1 * rng(), 0.1 * rng(), 0]);
    for (let i = 0; i < 40; i++) rows.push([0.1 * rng(), 1 + 0.1 * rng(), 0]);
    rows.push([0, 0, 3]);
    const t: FeatureRows = { x: Float32Array.from(rows.flat()), dims: d };
    const labeled = [...Array(10).keys()];
    const candidates = [...Array(rows.length).keys()].filter((i) => i >= 10);
    const [first] = pick({ table: t, labeled, candidates, poolGram: gram(t, [...Array(rows.length).keys()]), lambda: 1, k: 1 });
    expect(candidates[first]).toBeGreaterThanOrEqual(40);
    expect(candidates[first]).toBeLessThan(80);
  });
});
