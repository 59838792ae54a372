import { AGE_BIN_COUNT } from './age-bins';

/**
 * How informative a face would be to label, from the model's own outputs (0 = sure, 1 = clueless):
 * - gender: 1 − |2·p(male) − 1| (1 at p = 0.5),
 * - age: entropy of the 24 bin probabilities ÷ log 24,
 * - detector: 1 − detection score.
 * The score weights them 0.5 / 0.35 / 0.15 (gender is the label most often wrong and cheapest to
 * fix); the reason names the component that contributes most, in words an annotator understands.
 */
export const UNCERTAINTY_WEIGHTS = { gender: 0.5, age: 0.35, detector: 0.15 } as const;

export type UncertaintyInput = { pMale: number | null; ageProbs: readonly number[] | null; detScore: number | null };

export function genderUncertainty(pMale: number): number {
  return 1 - Math.abs(2 * pMale - 1);
}

export function normalizedEntropy(probs: readonly number[]): number {
  const total = probs.reduce((a, b) => a + b, 0);
  if (total <= 0) return 1;
  let h = 0;
  for (const p of probs) {
    const q = p / total;
    if (q > 0) h -= q * Math.log(q);
  }
  return h / Math.log(probs.length || AGE_BIN_COUNT);
}

export function uncertainty(input: UncertaintyInput): { score: number; why: string } {
  const parts = [
    {
      key: 'gender',
      value: input.pMale === null ? 1 : genderUncertainty(input.pMale),
      why: input.pMale === null ? 'no gender prediction' : `gender uncertain: p(male) ${input.pMale.toFixed(2)}`,
    },
    {
      key: 'age',
      value: input.ageProbs === null ? 1 : normalizedEntropy(input.ageProbs),
      why: input.ageProbs === null ? 'no age prediction' : `age uncertain: spread ${normalizedEntropy(input.ageProbs).toFixed(2)}`,
    },
    {
      key: 'detector',
      value: input.detScore === null ? 0 : 1 - input.detScore,
      why: `detector unsure: score ${(input.detScore ?? 1).toFixed(2)}`,
    },
  ] as const;
  let score = 0;
  let top: (typeof parts)[number] = parts[0];
  for (const part of parts) {
    const weighted = part.value * UNCERTAINTY_WEIGHTS[part.key];
    score += weighted;
    if (weighted > top.value * UNCERTAINTY_WEIGHTS[top.key]) top = part;
  }
  return { score: Math.round(score * 1e4) / 1e4, why: top.why };
}
