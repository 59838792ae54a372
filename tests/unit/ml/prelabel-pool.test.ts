import { describe, expect, it } from 'vitest';
import { WorkerPool, poolSize } from '@/lib/ml/prelabel-pool';

describe('pre-label worker pool', () => {
  it('sizes one worker per core on CPU backends (capped), one on GPU backends', () => {
    expect(poolSize('wasm', 2)).toBe(2);
    expect(poolSize('wasm', 16)).toBe(4);
    expect(poolSize('cpu', 3)).toBe(3);
    expect(poolSize('wasm', undefined)).toBe(1);
    expect(poolSize('wasm', 0)).toBe(1);
    expect(poolSize('wasm', 8, 1)).toBe(1);
    expect(poolSize('webgpu', 16)).toBe(1);
    expect(poolSize('webgl', 16)).toBe(1);
  });

  it('gives each call an idle member, queues the rest in order, and terminates all', async () => {
    const members = [0, 1].map((id) => ({ id, busy: false, terminated: false, terminate() { this.terminated = true; } }));
    const pool = new WorkerPool(members);
    const order: number[] = [];
    const task = (n: number) =>
      pool.run(async (m) => {
        expect(m.busy).toBe(false); // never two calls on one member
        m.busy = true;
        await new Promise((r) => setTimeout(r, 5));
        m.busy = false;
        order.push(n);
        return m.id;
      });
    const used = await Promise.all([1, 2, 3, 4, 5].map(task));
    expect(new Set(used)).toEqual(new Set([0, 1]));
    expect(order.slice(0, 2).sort()).toEqual([1, 2]);
    expect(order).toHaveLength(5);
    await expect(pool.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await pool.run(async (m) => m.id)).toBeTypeOf('number'); // a failed call frees its member
    pool.terminate();
    expect(members.every((m) => m.terminated)).toBe(true);
    expect(() => new WorkerPool([])).toThrow(/at least one/);
  });
});
