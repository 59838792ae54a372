import { describe, expect, it } from 'vitest';
import { committeeAges, fitRidge, predictRidge } from '../../../bench/al/committee';
import { choleskySolve } from '../../../lib/domain/cholesky';
import type { FeatureTable } from '../../../bench/al/data';
import { PoolDensity, percentileRanks, representativeness } from '../../../bench/al/density';
import { POLICIES, type SelectContext } from '../../../bench/al/policies';
import { AGE_BIN_COUNT, ageToBin } from '../../../lib/domain/age-bins';
import { seededRng } from '../../../lib/domain/queue-policy';

function table(rows: number[][]): FeatureTable {
  const keys = rows.map((_, i) => `f${i}`);
  return { keys, dims: rows[0].length, x: Float32Array.from(rows.flat()), rowOf: new Map(keys.map((k, i) => [k, i])) };
}

describe('active-learning bench: committee', () => {
  it('choleskySolve solves a symmetric positive definite system', () => {
    const a = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
    const w = choleskySolve(a, Float64Array.from([2, 3, 4]), 3);
    const back = [0, 1, 2].map((i) => a[i * 3] * w[0] + a[i * 3 + 1] * w[1] + a[i * 3 + 2] * w[2]);
    back.forEach((v, i) => expect(v).toBeCloseTo([2, 3, 4][i], 9));
  });

  it('fitRidge recovers a linear age with an intercept (small λ)', () => {
    const rng = seededRng(1);
    const rows = Array.from({ length: 200 }, () => [rng() * 2 - 1, rng() * 2 - 1]);
    const t = table(rows);
    const y = rows.map(([a, b]) => 30 + 10 * a - 5 * b);
    const coef = fitRidge(t, rows.map((_, i) => i), y, y.map(() => 1), 1e-6);
    expect(coef[0]).toBeCloseTo(10, 4);
    expect(coef[1]).toBeCloseTo(-5, 4);
    expect(coef[2]).toBeCloseTo(30, 4);
    expect(predictRidge(t, coef, 7)).toBeCloseTo(y[7], 4);
  });

  it('the committee disagrees more far from the labeled faces than among them', () => {
    const rng = seededRng(2);
    const near = Array.from({ length: 60 }, () => [rng() * 0.2, rng() * 0.2]);
    const t = table([...near, [3, 3]]);
    const labeled = near.map((_, i) => `f${i}`);
    const ages = near.map(([a]) => 20 + 40 * a + (rng() - 0.5) * 6); // noisy labels
    const { mean, sd } = committeeAges(t, labeled, ages, ['f0', 'f60'], seededRng(3), { members: 5, lambda: 0.01 });
    expect(sd[1]).toBeGreaterThan(5 * sd[0]);
    expect(mean[0]).toBeGreaterThan(10);
  });
});

describe('active-learning bench: representativeness', () => {
  it('an outlier is less representative than faces in a cluster', () => {
    const rng = seededRng(4);
    const cluster = Array.from({ length: 50 }, () => [1 + rng() * 0.1, 1 + rng() * 0.1, rng() * 0.1]);
    const t = table([...cluster, [-1, 0.2, 3]]);
    const r = representativeness(t, t.keys, t.keys, 5);
    expect(r[50]).toBeLessThan(Math.min(...Array.from(r.slice(0, 50))));
  });

  it('percentileRanks ranks values in (0, 1], ties sharing the higher rank', () => {
    expect(Array.from(percentileRanks([3, 1, 2, 2]))).toEqual([1, 0.25, 0.75, 0.75]);
  });

  it('PoolDensity answers for the pool it was computed on only', () => {
    const t = table([[1, 0], [0.9, 0.1], [1, 0.05], [-1, 0]]);
    const d = new PoolDensity(t, t.keys, seededRng(5), 4, 2);
    expect(d.of('f3')).toBe(0.25);
    expect(d.covers(t.keys)).toBe(true);
    expect(d.covers(t.keys.slice(1))).toBe(false);
    expect(() => d.of('nope')).toThrow();
  });
});

describe('active-learning bench: committee policies', () => {
  function context(n: number, k: number): SelectContext {
    const rng = seededRng(6);
    const rows = Array.from({ length: n }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), rng(), rng()]);
    const t = table(rows);
    const labeled = t.keys.slice(0, 40);
    const unlabeled = t.keys.slice(40);
    const preds = unlabeled.map((_, i) => {
      const age = (i % 80) + 0.5;
      const bins = new Array<number>(AGE_BIN_COUNT).fill(0.01);
      bins[ageToBin(Math.floor(age))] += 1 - 0.01 * AGE_BIN_COUNT;
      return { age, pFemale: (i % 7) / 7, ageBins: bins };
    });
    return { unlabeled, preds, labeled, labeledAges: labeled.map((_, i) => 20 + 30 * rows[i][0]), table: t, k, rng: seededRng(7), recent: [] };
  }

  for (const id of ['qbc', 'qbc-density', 'qbc-noise', 'qbc-strat', 'band-random', 'qbc-hybrid']) {
    it(`${id} picks k distinct unlabeled faces`, () => {
      const ctx = context(600, 50);
      const picks = POLICIES[id].select(ctx);
      expect(picks).toHaveLength(50);
      expect(new Set(picks).size).toBe(50);
      const open = new Set(ctx.unlabeled);
      expect(picks.every((p) => open.has(p))).toBe(true);
    });
  }
});
