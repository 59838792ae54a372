import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureCache } from '../../../workers/trainer/feature-cache';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'facet-cache-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('feature cache', () => {
  it('appends, skips known keys, and reopens (repairing a torn append)', () => {
    const root = path.join(dir, 'cache');
    const meta = { backbone: 'bb', variant: 'v1', outputs: { a: 2, b: 1 } };
    const c = FeatureCache.open(root, meta);
    c.append(['k1', 'k2'], { a: Float32Array.from([1, 2, 3, 4]), b: Float32Array.from([5, 6]) });
    c.append(['k2', 'k3'], { a: Float32Array.from([9, 9, 7, 8]), b: Float32Array.from([9, 10]) });
    expect(c.size).toBe(3);
    expect(Array.from(c.row('k2', 'a'))).toEqual([3, 4]);
    expect(Array.from(c.row('k3', 'b'))).toEqual([10]);
    appendFileSync(path.join(root, 'bb', 'v1', 'a.f32'), Buffer.from(new Float32Array([42, 43]).buffer)); // torn: no key, no b
    const again = FeatureCache.open(root, meta);
    expect(again.size).toBe(3);
    expect(Array.from(again.row('k3', 'a'))).toEqual([7, 8]);
    expect(again.has('k4')).toBe(false);
    expect(readdirSync(path.join(root, 'bb', 'v1')).sort()).toEqual(['a.f32', 'b.f32', 'keys.txt', 'lock', 'meta.json']);
    again.append(['k4'], { a: Float32Array.from([11, 12]), b: Float32Array.from([13]) });
    const third = FeatureCache.open(root, meta);
    expect(Array.from(third.row('k4', 'a'))).toEqual([11, 12]);
    expect(third.size).toBe(4);
  });
});
