/**
 * The 24 age bins of the age head. Narrow where faces change fast (infancy, childhood),
 * wider later. Bin i covers [AGE_BIN_EDGES[i], AGE_BIN_EDGES[i + 1]); the last bin is open.
 */
export const AGE_BIN_EDGES = [
  0, 1, 2, 3, 4, 5, 7, 10, 13, 16, 19, 22, 25, 28, 32, 36, 40, 45, 50, 55, 60, 66, 72, 80,
] as const;

export const AGE_BIN_COUNT = AGE_BIN_EDGES.length; // 24
export const MAX_AGE = 120;

/** Representative age of each bin (its midpoint; the open last bin uses 88). */
export const AGE_BIN_CENTERS: readonly number[] = AGE_BIN_EDGES.map((lo, i) => {
  const hi = i + 1 < AGE_BIN_EDGES.length ? AGE_BIN_EDGES[i + 1] : 97;
  return (lo + hi - 1) / 2;
});

export function isValidAge(age: number): boolean {
  return Number.isFinite(age) && age >= 0 && age <= MAX_AGE;
}

export function ageToBin(age: number): number {
  if (!isValidAge(age)) throw new RangeError(`age must be between 0 and ${MAX_AGE}, got ${age}`);
  let bin = 0;
  for (let i = 1; i < AGE_BIN_EDGES.length; i++) if (age >= AGE_BIN_EDGES[i]) bin = i;
  return bin;
}

export function binLabel(bin: number): string {
  const lo = AGE_BIN_EDGES[bin];
  if (lo === undefined) throw new RangeError(`no age bin ${bin}`);
  const next = AGE_BIN_EDGES[bin + 1];
  if (next === undefined) return `${lo}+`;
  return next - 1 === lo ? `${lo}` : `${lo}–${next - 1}`;
}

/** Expected age under a probability vector over the bins. */
export function expectedAge(probs: ArrayLike<number>): number {
  if (probs.length !== AGE_BIN_COUNT) throw new RangeError(`expected ${AGE_BIN_COUNT} probabilities`);
  let sum = 0;
  let mass = 0;
  for (let i = 0; i < AGE_BIN_COUNT; i++) {
    sum += probs[i] * AGE_BIN_CENTERS[i];
    mass += probs[i];
  }
  return mass > 0 ? sum / mass : NaN;
}

/** Reporting bands (coarser than bins): 0–2, 3–9, 10–19, …, 70+. */
export const AGE_BANDS = [
  { label: '0–2', lo: 0, hi: 2 },
  { label: '3–9', lo: 3, hi: 9 },
  { label: '10–19', lo: 10, hi: 19 },
  { label: '20–29', lo: 20, hi: 29 },
  { label: '30–39', lo: 30, hi: 39 },
  { label: '40–49', lo: 40, hi: 49 },
  { label: '50–59', lo: 50, hi: 59 },
  { label: '60–69', lo: 60, hi: 69 },
  { label: '70+', lo: 70, hi: Infinity },
] as const;

export function ageBand(age: number): string {
  const band = AGE_BANDS.find((b) => age >= b.lo && age <= b.hi) ?? AGE_BANDS[AGE_BANDS.length - 1];
  return band.label;
}
