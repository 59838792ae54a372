import { describe, expect, it } from 'vitest';
import { bandQuotas } from '@/lib/domain/band-quotas';

describe('bandQuotas', () => {
  it('shares picks like the bands are sized, by largest remainder, never more than a band holds', () => {
    // 60 faces aged 25, 30 aged 45, 10 aged 72.
    const ages = [...Array(60).fill(25.4), ...Array(30).fill(45), ...Array(10).fill(72)];
    const q = bandQuotas(ages, 10);
    expect(q.map((b) => b.n).reduce((a, b) => a + b, 0)).toBe(10);
    expect(Object.fromEntries(q.map((b) => [b.band, b.n]))).toEqual({ '20–29': 6, '40–49': 3, '70+': 1 });
    expect(bandQuotas(ages, 500).map((b) => b.n).sort((a, b) => a - b)).toEqual([10, 30, 60]);
  });

  it('floors predicted ages (19.5 is a teenager, not 70+), weights bands, and skips taken faces', () => {
    const ages = [19.5, 19.7, 50, 50];
    const plain = bandQuotas(ages, 2);
    expect(plain.find((b) => b.band === '10–19')).toMatchObject({ members: [0, 1], n: 1 });
    const weighted = bandQuotas(ages, 2, (i) => (ages[i] >= 50 ? 3 : 0));
    expect(weighted.find((b) => b.band === '50–59')!.n).toBe(2);
    const skipped = bandQuotas(ages, 2, undefined, (i) => i === 0);
    expect(skipped.find((b) => b.band === '10–19')!.members).toEqual([1]);
  });
});
