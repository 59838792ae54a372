import { describe, expect, it } from 'vitest';
import { labelSavings, labelsToReach, meanCurve, savingsByBudget, spread } from '../../../bench/al/curves';

const curve = (pts: [number, number][]) => pts.map(([labels, mae]) => ({ labels, mae, genderAccuracy: 0.9 }));

describe('active-learning curves', () => {
  it('interpolates the labels at which a curve first reaches a target', () => {
    const c = curve([[200, 10], [400, 8], [600, 6], [800, 7], [1000, 5]]);
    expect(labelsToReach(c, 10)).toBe(200);
    expect(labelsToReach(c, 12)).toBe(200);
    expect(labelsToReach(c, 7)).toBe(500);
    expect(labelsToReach(c, 6)).toBe(600);
    expect(labelsToReach(c, 5.5)).toBe(950);
    expect(labelsToReach(c, 4)).toBeNull();
  });

  it('reports label savings against the baseline final MAE, negative or null when worse', () => {
    const random = curve([[200, 10], [600, 8], [1000, 6]]);
    expect(labelSavings(curve([[200, 10], [600, 6], [1000, 5]]), random)).toEqual({ target: 6, labels: 600, baselineLabels: 1000, savings: 0.4 });
    expect(labelSavings(random, random).savings).toBe(0);
    expect(labelSavings(curve([[200, 11], [600, 9], [1000, 7]]), random).savings).toBeNull();
  });

  it('does the same for gender accuracy, where higher is better', () => {
    const acc = (pts: [number, number][]) => pts.map(([labels, genderAccuracy]) => ({ labels, mae: 5, genderAccuracy }));
    expect(labelsToReach(acc([[200, 0.9], [400, 0.92], [600, 0.94]]), 0.93, 'genderAccuracy')).toBeCloseTo(500);
    const s = labelSavings(acc([[200, 0.9], [400, 0.94], [600, 0.95]]), acc([[200, 0.9], [400, 0.92], [600, 0.94]]), 'genderAccuracy');
    expect(s.labels).toBeCloseTo(400);
    expect(s.savings).toBeCloseTo(1 / 3);
  });

  it('averages curves and summarises spread', () => {
    const m = meanCurve([curve([[100, 4], [200, 2]]), curve([[100, 6], [200, 4]])]);
    expect(m.map((p) => p.mae)).toEqual([5, 3]);
    expect(() => meanCurve([curve([[100, 4]]), curve([[150, 4]])])).toThrow(/schedules/);
    const s = spread([0.2, 0.3, 0.4]);
    expect(s.mean).toBeCloseTo(0.3);
    expect(s.sd).toBeCloseTo(0.1);
    expect([s.min, s.max, s.n]).toEqual([0.2, 0.4, 3]);
  });

  it('measures savings at every baseline budget, so one noisy baseline round weighs 1/rounds', () => {
    const random = curve([[200, 10], [400, 8], [600, 7], [800, 6]]);
    const same = savingsByBudget(random, random);
    expect(same.budgets.map((b) => b.labels)).toEqual([400, 600, 800]);
    expect(same.mean).toBeCloseTo(0);
    // Reaches 8 at 333 (1/6 saved at 400), 7 at 400 (1/3 at 600), 6 at 500 (3/8 at 800).
    const better = savingsByBudget(curve([[200, 10], [400, 7], [600, 5], [800, 4]]), random);
    better.budgets.forEach((b, i) => expect(b.savings).toBeCloseTo([1 / 6, 1 / 3, 3 / 8][i]));
    expect(better.mean).toBeCloseTo((1 / 6 + 1 / 3 + 3 / 8) / 3);
    expect(better.unreached).toBe(0);
    // Never reaches 6: counted at its last round (0% at 800) and flagged.
    const worse = savingsByBudget(curve([[200, 10], [400, 8], [600, 7], [800, 6.5]]), random);
    expect(worse.unreached).toBe(1);
    expect(worse.budgets[2]).toEqual({ labels: 800, savings: 0, reached: false });
  });
});
