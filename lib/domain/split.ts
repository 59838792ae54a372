/**
 * Deterministic train/val/test assignment by a seeded hash of a stable key (an image's
 * content hash or a file name), so a whole image — and so all its faces — lands on one side.
 */
export type Split = 'train' | 'val' | 'test';

export const DEFAULT_SPLIT_SEED = 'facet-v1';
export const DEFAULT_FRACTIONS = { train: 0.8, val: 0.1, test: 0.1 } as const;

/** cyrb53: a fast 53-bit string hash, identical in Node and browsers. */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A number in [0, 1) fixed by the key and seed. */
export function unitHash(key: string, seed: string = DEFAULT_SPLIT_SEED): number {
  return hash53(`${seed}\u0000${key}`) / 2 ** 53;
}

export function splitOf(
  key: string,
  seed: string = DEFAULT_SPLIT_SEED,
  fractions: { train: number; val: number; test: number } = DEFAULT_FRACTIONS,
): Split {
  const total = fractions.train + fractions.val + fractions.test;
  const u = unitHash(key, seed) * total;
  if (u < fractions.train) return 'train';
  if (u < fractions.train + fractions.val) return 'val';
  return 'test';
}
