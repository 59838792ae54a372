/**
 * Several HeadsLearner fits of the same labels (different seeds), predicting their mean: one fit's
 * test MAE moves ±0.15 y with its seed alone (bench/al/fit-noise.ts), as much as the gaps between
 * query policies, so a round is judged — and the pool scored — by the ensemble instead.
 */
import type * as tf from '@tensorflow/tfjs';
import type { FacePrediction } from '../../lib/ml/predict';
import { summarize, type MetricSummary } from '../../workers/trainer/metrics';
import type { FeatureTable } from './data';
import { HeadsLearner, type Labeled, type LearnerOptions } from './learner';

/** The mean of the members' predictions (bins and P(female) averaged; gender and bin re-derived). */
export function meanPrediction(members: readonly FacePrediction[]): FacePrediction {
  const n = members.length;
  const ageBins = members[0].ageBins.map((_, b) => members.reduce((s, m) => s + m.ageBins[b], 0) / n);
  const pFemale = members.reduce((s, m) => s + m.pFemale, 0) / n;
  let bin = 0;
  for (let b = 1; b < ageBins.length; b++) if (ageBins[b] > ageBins[bin]) bin = b;
  return { age: members.reduce((s, m) => s + m.age, 0) / n, pFemale, gender: pFemale >= 0.5 ? 'FEMALE' : 'MALE', ageBins, bin };
}

export class EnsembleLearner {
  private readonly members: HeadsLearner[];

  constructor(table: FeatureTable, val: Labeled[], opts: LearnerOptions, seed: number, size: number) {
    // Seeds far apart from the single learner's (seed) so member 0 is not the same fit as a 1-fit run.
    this.members = Array.from({ length: size }, (_, i) => new HeadsLearner(table, val, opts, i === 0 ? seed : seed * 1000 + i));
  }

  get fits() {
    return this.members[0].fits;
  }

  get lastEpochs() {
    return this.members[0].lastEpochs;
  }

  async fit(labeled: Labeled[], weight?: Float32Array): Promise<void> {
    for (const m of this.members) await m.fit(labeled, weight);
  }

  /** The first member's weights (warm starts give every member the same start). */
  weights(): tf.Tensor[] {
    return this.members[0].weights();
  }

  setWeights(weights: tf.Tensor[]) {
    for (const m of this.members) m.setWeights(weights);
  }

  /** Every member's predictions (member-major). */
  memberPredictions(keys: readonly string[]): FacePrediction[][] {
    return this.members.map((m) => m.predict(keys));
  }

  predict(keys: readonly string[]): FacePrediction[] {
    const each = this.memberPredictions(keys);
    return keys.map((_, i) => meanPrediction(each.map((p) => p[i])));
  }

  evaluate(truth: Labeled[]): MetricSummary {
    return summarize(truth, this.predict(truth.map((r) => r.key)));
  }

  dispose() {
    for (const m of this.members) m.dispose();
  }
}

/** One fit per round (`fits` 1, the default) or the mean of several. */
export function makeLearner(table: FeatureTable, val: Labeled[], opts: LearnerOptions, seed: number, fits = 1): HeadsLearner | EnsembleLearner {
  return fits > 1 ? new EnsembleLearner(table, val, opts, seed, fits) : new HeadsLearner(table, val, opts, seed);
}
