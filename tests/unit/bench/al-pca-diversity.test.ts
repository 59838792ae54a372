import { describe, expect, it } from 'vitest';
import type { FeatureTable } from '../../../bench/al/data';
import { kCenterGreedy } from '../../../bench/al/diversity';
import { orthonormalizeColumns, principalBasis, projectRows } from '../../../workers/trainer/pca';

const table = (rows: number[][]): FeatureTable => ({
  keys: rows.map((_, i) => `k${i}`),
  x: Float32Array.from(rows.flat()),
  dims: rows[0].length,
  rowOf: new Map(rows.map((_, i) => [`k${i}`, i])),
});

describe('active-learning bench: PCA and feature diversity', () => {
  it('orthonormalises columns', () => {
    const q = Float64Array.from([1, 1, 0, 1, 1, 0]); // 3 × 2
    orthonormalizeColumns(q, 3, 2);
    const col = (j: number) => [q[j], q[2 + j], q[4 + j]];
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
    expect(dot(col(0), col(0))).toBeCloseTo(1);
    expect(dot(col(1), col(1))).toBeCloseTo(1);
    expect(dot(col(0), col(1))).toBeCloseTo(0);
  });

  it('finds the direction of largest variance and projects onto it', () => {
    // Points spread along (1, 1, 0) with a little noise in z: the top component is ±(1, 1, 0)/√2.
    const rows = Array.from({ length: 200 }, (_, i) => {
      const t = (i - 100) / 10;
      return [t, t, ((i * 37) % 7) / 70 - 0.05];
    });
    const basis = principalBasis(Float32Array.from(rows.flat()), rows.length, 3, 1);
    expect(Math.abs(basis[0])).toBeCloseTo(Math.SQRT1_2, 2);
    expect(Math.abs(basis[1])).toBeCloseTo(Math.SQRT1_2, 2);
    expect(Math.abs(basis[2])).toBeLessThan(0.01);
    const p = projectRows(table(rows), 1);
    expect(p.dims).toBe(1);
    const mean = p.x.reduce((s, v) => s + v, 0) / p.x.length;
    const variance = p.x.reduce((s, v) => s + (v - mean) ** 2, 0) / p.x.length;
    expect(mean).toBeCloseTo(0, 4);
    expect(variance).toBeCloseTo(1, 3);
    expect(() => principalBasis(new Float32Array(6), 2, 3, 4)).toThrow(RangeError);
  });

  it('k-center greedy spreads picks away from labeled faces and from each other', () => {
    // Three tight clusters (near 0, 10 and 20) and one labeled face in the first.
    const t = table([[0], [0.1], [10], [10.1], [20], [20.1], [0.05]]);
    const picks = kCenterGreedy(t, ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'], ['k6'], 2);
    expect(picks[0]).toBe('k5'); // farthest from the labeled face
    expect(['k2', 'k3']).toContain(picks[1]); // then the untouched middle cluster, not a second face near 20
    const first = kCenterGreedy(t, ['k1', 'k4'], [], 1);
    expect(first).toEqual(['k1']); // no anchors: the first (best-scored) candidate leads
    expect(kCenterGreedy(t, ['k0', 'k1'], [], 5)).toHaveLength(2);
  });
});
