/**
 * Named head/feature configurations. `r0` is the shipped round-0 model; the others are the
 * comparisons scripts/train-round0.ts also trains (into .cache/models/) and scripts/eval.ts reports.
 * All use the default head (heads.ts) and training settings (train.ts). Chosen on val (n = 2,404;
 * noise ≈ ±0.1 y MAE): the concatenated features beat either backbone alone (MAE 4.25 vs 4.6–4.8);
 * the mean of plain + mirrored features (train and test) beat plain crops (4.25 vs 4.35) and
 * matched flip-augmented training with prediction averaging at half the cost; gender-specific
 * age heads did not help (4.33); a wider head (1024/256) or dropout 0.5/0.2 changed nothing
 * beyond noise; feeding face-api's own age/gender outputs in as extra features made it worse.
 */
import type { FitOptions } from './fit';

export type Variant = FitOptions & { id: string; label: string };

const AG_ALL = ['faceapi-agegender:gap', 'faceapi-agegender:gmp', 'faceapi-agegender:mid'];
const REC_ALL = ['faceapi-recognition:descriptor', 'faceapi-recognition:gap'];

export const VARIANTS: Record<string, Variant> = {
  r0: {
    id: 'r0',
    label: 'r0: age_gender gap+gmp+mid ⊕ recognition desc+gap (1536-d), mean of plain+mirrored features (train and test)',
    features: [...AG_ALL, ...REC_ALL],
    trainView: 'mean',
    flipTta: 'mean-features',
  },
  'ag-gap': {
    id: 'ag-gap',
    label: 'age_gender gap (512-d) only, plain crops, no flip, default head (the probe’s setup on all train faces)',
    features: ['faceapi-agegender:gap'],
    trainView: 'plain',
    flipTta: 'none',
  },
  'ag-all': {
    id: 'ag-all',
    label: 'age_gender gap+gmp+mid (1152-d) only, plain crops, no flip: one backbone pass per face (the fast pre-label model)',
    features: AG_ALL,
    trainView: 'plain',
    flipTta: 'none',
  },
  'ag-all-mean': {
    id: 'ag-all-mean',
    label: 'age_gender gap+gmp+mid (1152-d) only, mean of plain+mirrored features (train and test)',
    features: AG_ALL,
    trainView: 'mean',
    flipTta: 'mean-features',
  },
  'rec-only': {
    id: 'rec-only',
    label: 'recognition desc+gap (384-d) only — backbone not trained on UTKFace — flip-mean features',
    features: REC_ALL,
    trainView: 'mean',
    flipTta: 'mean-features',
  },
  'r0-no-flip': {
    id: 'r0-no-flip',
    label: 'r0 features and head, plain crops only (no flip in training or at test)',
    features: [...AG_ALL, ...REC_ALL],
    trainView: 'plain',
    flipTta: 'none',
  },
  'r0-gender-age': {
    id: 'r0-gender-age',
    label: 'r0 + gender-specific age heads (mixed by P(female))',
    features: [...AG_ALL, ...REC_ALL],
    trainView: 'mean',
    flipTta: 'mean-features',
    head: { genderSpecificAge: true },
  },
};

export function variantBackbones(v: Variant): string[] {
  return [...new Set(v.features.map((f) => f.split(':')[0]))];
}
