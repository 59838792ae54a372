import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRng } from '@/lib/domain/queue-policy';
import { designOrder } from '@/workers/trainer/design-order';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const DIMS = 12;
/** `n` rows around the centre `c` (one hot on dimension c, scaled by 3) with a little noise. */
function cluster(n: number, c: number, rng: () => number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: DIMS }, (_, j) => (j === c ? 3 : 0) + 0.3 * (rng() - 0.5)));
}

describe('designOrder (the queue order from V-optimal design)', () => {
  it('asks first for faces unlike the labeled ones, and orders only `picks` of them', () => {
    const rng = seededRng(7);
    const labeled = cluster(30, 0, rng);
    const covered = cluster(40, 0, rng); // queued 0..39: like the labeled faces
    const fresh = cluster(40, 1, rng); // queued 40..79: a region nobody labeled
    const order = designOrder({ labeled: Float32Array.from(labeled.flat()), queued: Float32Array.from([...covered, ...fresh].flat()), dims: DIMS, picks: 5, pcaDims: 6 });
    expect(order).toHaveLength(5);
    expect(new Set(order).size).toBe(5);
    expect(order[0]).toBeGreaterThanOrEqual(40);
  });

  it('handles an empty queue, no labeled faces, and refuses rows of the wrong width', () => {
    expect(designOrder({ labeled: new Float32Array(0), queued: new Float32Array(0), dims: DIMS, picks: 3 })).toEqual([]);
    const rng = seededRng(9);
    expect(designOrder({ labeled: new Float32Array(0), queued: Float32Array.from(cluster(6, 4, rng).flat()), dims: DIMS, picks: 10 })).toHaveLength(6);
    expect(() => designOrder({ labeled: new Float32Array(5), queued: new Float32Array(DIMS), dims: DIMS, picks: 1 })).toThrow(/wide/);
  });
});
