/**
 * Named head/feature configurations. `r0` is the shipped round-0 model; the others are the
 * comparisons scripts/train-round0.ts also trains (into .cache/models/) and scripts/eval.ts reports.
 */
import type { FitOptions } from './fit';

export type Variant = FitOptions & { id: string; label: string };

const AG_ALL = ['faceapi-agegender:gap', 'faceapi-agegender:gmp', 'faceapi-agegender:mid'];
const REC_ALL = ['faceapi-recognition:descriptor', 'faceapi-recognition:gap'];

export const VARIANTS: Record<string, Variant> = {
  r0: {
    id: 'r0',
    label: 'r0: age_gender gap+gmp+mid ⊕ recognition desc+gap, flip-augmented, flip TTA',
    features: [...AG_ALL, ...REC_ALL],
    trainView: 'augment',
    flipTta: 'mean-predictions',
  },
  'ag-gap': {
    id: 'ag-gap',
    label: 'age_gender gap (512), plain crops, no TTA (the probe’s setup, all train faces)',
    features: ['faceapi-agegender:gap'],
    trainView: 'plain',
    flipTta: 'none',
  },
  'rec-only': {
    id: 'rec-only',
    label: 'recognition desc+gap only (not trained on UTKFace), flip-augmented, flip TTA',
    features: REC_ALL,
    trainView: 'augment',
    flipTta: 'mean-predictions',
  },
  'r0-gender-age': {
    id: 'r0-gender-age',
    label: 'r0 features + gender-specific age heads',
    features: [...AG_ALL, ...REC_ALL],
    trainView: 'augment',
    flipTta: 'mean-predictions',
    head: { genderSpecificAge: true },
  },
};

export function variantBackbones(v: Variant): string[] {
  return [...new Set(v.features.map((f) => f.split(':')[0]))];
}
