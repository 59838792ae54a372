import { describe, expect, it } from 'vitest';
import type { FeatureTable } from '../../../bench/al/data';
import { ClusterWeights, kMeans } from '../../../bench/al/importance';
import { seededRng } from '../../../lib/domain/queue-policy';

/** Two tight blobs, at (0, 0) and (10, 10), of `a` and `b` points. */
function blobs(a: number, b: number): FeatureTable {
  const rows = [...Array.from({ length: a }, (_, i) => [(i % 5) / 10, (i % 3) / 10]), ...Array.from({ length: b }, (_, i) => [10 + (i % 5) / 10, 10 + (i % 3) / 10])];
  return { keys: rows.map((_, i) => `k${i}`), x: Float32Array.from(rows.flat()), dims: 2, rowOf: new Map(rows.map((_, i) => [`k${i}`, i])) };
}

describe('active-learning bench: importance weights', () => {
  it('k-means separates two blobs', () => {
    const t = blobs(30, 20);
    const assign = kMeans(t.x, 50, 2, 2, 10, seededRng(1));
    expect(new Set(assign.slice(0, 30)).size).toBe(1);
    expect(new Set(assign.slice(30)).size).toBe(1);
    expect(assign[0]).not.toBe(assign[30]);
  });

  it('weighs a labeled face by its cluster\'s pool share over its labeled share, mean 1', () => {
    const t = blobs(50, 50);
    const w = new ClusterWeights(t, t.keys, { clusters: 2, dims: 2, iterations: 10, clip: 5, seed: 3 });
    // Labeled: 30 from the first blob, 10 from the second (pool 50/50): 0.5/0.75 and 0.5/0.25, i.e. 2/3 and 2.
    const labeled = [...t.keys.slice(0, 30), ...t.keys.slice(50, 60)];
    const weights = w.weights(labeled);
    expect(weights[0]).toBeCloseTo(2 / 3, 5);
    expect(weights[35]).toBeCloseTo(2, 5);
    expect(weights.reduce((s, v) => s + v, 0) / weights.length).toBeCloseTo(1, 5);
    // A labeled set drawn like the pool weighs every face 1.
    expect([...w.weights([...t.keys.slice(0, 10), ...t.keys.slice(50, 60)])].every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
  });

  it('clips the ratio', () => {
    const t = blobs(90, 10);
    const w = new ClusterWeights(t, t.keys, { clusters: 2, dims: 2, iterations: 10, clip: 2, seed: 3 });
    // 1 of 21 labeled from the big blob (pool 90%): ratio 18.9, clipped to 2 before scaling to mean 1.
    const weights = w.weights([t.keys[0], ...t.keys.slice(90, 100), ...t.keys.slice(90, 100)]);
    expect(weights[0] / weights[1]).toBeCloseTo(2 / 0.5, 5);
    expect(() => w.weights(['nope'])).toThrow(/not in the pool/);
  });
});
