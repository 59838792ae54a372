import { binLabel } from '@/lib/domain/age-bins';

type Prediction = { gender: string | null; genderConf: number | null; age: number | null; ageBin: number | null; ageBinConf: number | null };

const pct = (p: number | null) => (p === null ? '' : ` ${Math.round(p * 100)}%`);
const genderWord = (g: string | null) => (g === 'MALE' ? 'Male' : g === 'FEMALE' ? 'Female' : g === null ? '?' : g.toLowerCase());

/** "Female 97% · 31 y" — the short tag drawn on a box. */
export function shortLabel(p: Prediction): string {
  return `${genderWord(p.gender)}${pct(p.genderConf)} · ${p.age === null ? '?' : Math.round(p.age)} y`;
}

/** The age bin with the model's confidence in it, e.g. "25–29 y (61%)". */
export function binText(p: Prediction): string {
  return p.ageBin === null ? '–' : `${binLabel(p.ageBin)} y${p.ageBinConf === null ? '' : ` (${Math.round(p.ageBinConf * 100)}%)`}`;
}

/** A browser prediction (pMale, age probabilities) in the same shape as a stored one. */
export function fromProbabilities(f: { pMale: number; ageProbs: number[]; age: number }): Prediction {
  const bin = f.ageProbs.reduce((best, v, i, a) => (v > a[best] ? i : best), 0);
  return {
    gender: f.pMale >= 0.5 ? 'MALE' : 'FEMALE',
    genderConf: Math.max(f.pMale, 1 - f.pMale),
    age: f.age,
    ageBin: bin,
    ageBinConf: f.ageProbs[bin] ?? null,
  };
}
