import { ageBand } from './age-bins';

export type BandQuota = { band: string; members: number[]; n: number };

/**
 * Shares `m` picks over the age bands of `ages` (one per candidate) in proportion to each band's
 * weight (its size by default), by largest remainder and never more than a band holds. Predicted
 * ages are floored first: ageBand's bands are integer ranges, so 19.5 would fall through to 70+.
 * `members` are indices into `ages`; `skip` leaves candidates out.
 */
export function bandQuotas(ages: ArrayLike<number>, m: number, weight: (i: number) => number = () => 1, skip: (i: number) => boolean = () => false): BandQuota[] {
  const bands = new Map<string, number[]>();
  for (let i = 0; i < ages.length; i++) {
    if (skip(i)) continue;
    const band = ageBand(Math.floor(Math.max(0, ages[i])));
    if (!bands.has(band)) bands.set(band, []);
    bands.get(band)!.push(i);
  }
  const mass = (members: number[]) => members.reduce((s, i) => s + weight(i), 0);
  const total = [...bands.values()].reduce((s, b) => s + mass(b), 0);
  const quotas = [...bands].map(([band, members]) => {
    const exact = total > 0 ? Math.min(members.length, (m * mass(members)) / total) : 0;
    return { band, members, exact, n: Math.floor(exact) };
  });
  let left = Math.min(m, quotas.reduce((s, q) => s + q.members.length, 0)) - quotas.reduce((s, q) => s + q.n, 0);
  for (const q of [...quotas].sort((a, b) => (b.exact % 1) - (a.exact % 1))) if (left > 0 && q.n < q.members.length) (q.n++, left--);
  return quotas.map(({ band, members, n }) => ({ band, members, n }));
}
