import { describe, expect, it } from 'vitest';
import type { FeatureTable } from '../../../bench/al/data';
import { POLICIES, type SelectContext } from '../../../bench/al/policies';
import { AGE_BIN_CENTERS, AGE_BIN_COUNT, ageToBin } from '../../../lib/domain/age-bins';
import { seededRng } from '../../../lib/domain/queue-policy';

/** A pool of n faces: predicted age i % 80 + 0.5 (fractional, as models predict), a one-hot-ish bin spread. */
function context(n: number, k: number): SelectContext {
  const keys = Array.from({ length: n }, (_, i) => `f${i}`);
  const preds = keys.map((_, i) => {
    const age = (i % 80) + 0.5;
    const bins = new Array<number>(AGE_BIN_COUNT).fill(0.01);
    bins[ageToBin(Math.floor(age))] += 1 - 0.01 * AGE_BIN_COUNT;
    return { age, pFemale: (i % 7) / 7, ageBins: bins };
  });
  const table: FeatureTable = { keys, dims: 2, x: Float32Array.from(keys.flatMap((_, i) => [i % 13, (i * 7) % 11])), rowOf: new Map(keys.map((key, i) => [key, i])) };
  return { unlabeled: keys, preds, labeled: [], labeledAges: [], table, k, rng: seededRng(3), recent: [] };
}

describe('active-learning bench: stratified policies', () => {
  for (const id of ['years-stratified', 'strat-kcenter', 'years-neyman']) {
    it(`${id} picks k distinct unlabeled faces`, () => {
      const ctx = context(800, 60);
      const picks = POLICIES[id].select(ctx);
      expect(picks).toHaveLength(60);
      expect(new Set(picks).size).toBe(60);
      expect(picks.every((p) => ctx.unlabeled.includes(p))).toBe(true);
    });
  }

  it('bands fractional predicted ages by their whole years (19.5 is a teenager, not 70+)', () => {
    const ctx = context(800, 100);
    const picks = POLICIES['years-stratified'].select({ ...ctx, rng: () => 0.99 }).slice(10); // the non-random picks
    const ages = picks.map((p) => ctx.preds[Number(p.slice(1))].age);
    // The pool is uniform over 0.5..79.5, so 70+ holds 10/80 of it: about 11 of 90 picks, not ~20.
    expect(ages.filter((a) => a >= 70).length).toBeLessThanOrEqual(13);
  });

  it('Neyman allocation gives bands with larger expected age error more picks than their pool share', () => {
    const ctx = context(800, 100);
    // Spread the age bins of adults (40+) over many bins: a larger expected error in years.
    const preds = ctx.preds.map((p) => (p.age >= 40 ? { ...p, ageBins: AGE_BIN_CENTERS.map(() => 1 / AGE_BIN_COUNT) } : p));
    const picks = POLICIES['years-neyman'].select({ ...ctx, preds });
    const adults = picks.filter((p) => preds[Number(p.slice(1))].age >= 40).length;
    expect(adults).toBeGreaterThan(60); // pool share 50%
  });
});

describe('active-learning bench: design policies', () => {
  for (const id of ['design', 'design-noise', 'design-strat', 'design-half', 'design-facet', 'design-random']) {
    it(`${id} picks k distinct unlabeled faces, its random slice first`, () => {
      const ctx = context(400, 40);
      const labeled = ctx.unlabeled.slice(0, 20);
      const picks = POLICIES[id].select({ ...ctx, unlabeled: ctx.unlabeled.slice(20), preds: ctx.preds.slice(20), labeled, labeledAges: labeled.map(() => 30) });
      expect(picks).toHaveLength(40);
      expect(new Set(picks).size).toBe(40);
      expect(picks.some((p) => labeled.includes(p))).toBe(false);
    });
  }
});
