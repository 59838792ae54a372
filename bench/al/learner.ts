/**
 * Facet's heads (workers/trainer/heads.ts, trained by workers/trainer/train.ts) as an
 * active-learning learner on a standardised feature table: fit on the labeled rows (from scratch or
 * warm-started from the previous round's weights), early-stopped on a fixed validation subset, and
 * predict any rows. Small epochs and batch so a round stays fast on two cores.
 */
import type * as tf from '@tensorflow/tfjs';
import type { HeadsInfo } from '../../lib/ml/manifest';
import { type FacePrediction, predictFromFeatures } from '../../lib/ml/predict';
import { targetScore } from '../../workers/trainer/fit';
import { DEFAULT_HEAD_CONFIG, type HeadConfig, buildHeads, describeHeads } from '../../workers/trainer/heads';
import { summarize, type MetricSummary } from '../../workers/trainer/metrics';
import { DEFAULT_TRAIN, type TrainConfig, trainHeads } from '../../workers/trainer/train';
import { type FeatureTable, rowsOf } from './data';

export type Labeled = { key: string; age: number; gender: 0 | 1 | null; race?: string };

export type LearnerOptions = {
  head?: Partial<Omit<HeadConfig, 'inputDims'>>;
  train?: Partial<Omit<TrainConfig, 'ageRegression'>>;
  /** Keep the model between fits (warm start) instead of rebuilding it each time. */
  warmStart: boolean;
  /**
   * Gradient steps per fit (epochs = steps · batch / labeled, within 3..200), with no early
   * stopping: the same amount of training at every round, so a curve's ups and downs come from
   * the data rather than from where early stopping happened to land. 0 = early stopping on `val`.
   */
  steps: number;
  /** Steps for a warm-started fit (default: steps / 2). */
  warmSteps?: number;
  /** Age normalisation of the regression output (fixed, so warm starts see the same target scale). */
  ageRegression?: { mean: number; std: number };
};

export const DEFAULT_LEARNER: LearnerOptions = {
  warmStart: false,
  steps: 300,
  train: { epochs: 30, batchSize: 64, patience: 6, plateau: 3 },
  ageRegression: { mean: 33, std: 20 },
};

export class HeadsLearner {
  private model: tf.LayersModel | null = null;
  private heads: HeadsInfo | null = null;
  fits = 0;
  lastEpochs = 0;

  constructor(
    private readonly table: FeatureTable,
    private readonly val: Labeled[],
    private readonly opts: LearnerOptions = DEFAULT_LEARNER,
    private readonly seed = 1,
  ) {}

  private build() {
    const cfg: HeadConfig = { ...DEFAULT_HEAD_CONFIG, ...this.opts.head, seed: this.seed, inputDims: this.table.dims };
    const { model, outputs } = buildHeads(cfg);
    this.model?.dispose();
    this.model = model;
    this.heads = {
      modelJson: 'model.json',
      weights: ['weights.bin'],
      featureLayout: [{ backbone: 'bench', node: 'features', dims: this.table.dims }],
      inputDims: this.table.dims,
      outputs,
      ageRegression: this.opts.ageRegression ?? DEFAULT_LEARNER.ageRegression!,
      ageFrom: 'mean',
      genderSpecificAge: cfg.genderSpecificAge,
      architecture: describeHeads(cfg),
    };
  }

  /** `weight`: each labeled face's weight in the loss (same order; default 1). */
  async fit(labeled: Labeled[], weight?: Float32Array): Promise<void> {
    const warm = this.opts.warmStart && this.model !== null;
    if (!warm) this.build();
    const base = { ...DEFAULT_TRAIN, ...DEFAULT_LEARNER.train, ...this.opts.train };
    const steps = warm ? (this.opts.warmSteps ?? this.opts.steps / 2) : this.opts.steps;
    const fixed = steps > 0;
    const epochs = fixed ? Math.min(200, Math.max(3, Math.round((steps * base.batchSize) / labeled.length))) : base.epochs;
    const cfg: TrainConfig = {
      ...base,
      epochs,
      patience: fixed ? epochs : base.patience,
      plateau: fixed ? epochs : base.plateau,
      seed: base.seed + this.fits,
      ageRegression: this.heads!.ageRegression!,
    };
    const set = {
      x: rowsOf(this.table, labeled.map((r) => r.key)),
      n: labeled.length,
      dims: this.table.dims,
      age: Float32Array.from(labeled, (r) => r.age),
      gender: Float32Array.from(labeled, (r) => (r.gender === null ? -1 : r.gender)),
      weight,
    };
    const valX = rowsOf(this.table, this.val.map((r) => r.key));
    let epoch = 0;
    const validate = () => {
      if (fixed) return { score: -++epoch }; // always "better": keeps the last weights, no lr halving
      const s = summarize(this.val, predictFromFeatures(this.model!, this.heads!, valX, this.val.length));
      return { score: targetScore(s.ageMae, s.genderAccuracy) };
    };
    const { history } = await trainHeads(this.model!, this.heads!.outputs, set, validate, cfg);
    this.fits++;
    this.lastEpochs = history.length;
  }

  /** Copies of the current weights (the caller disposes them). */
  weights(): tf.Tensor[] {
    if (!this.model) throw new Error('no model yet');
    return this.model.getWeights().map((w) => w.clone());
  }

  /** Start from these weights (a warm start from another learner's model on the same table). */
  setWeights(weights: tf.Tensor[]) {
    if (!this.model) this.build();
    this.model!.setWeights(weights);
  }

  predict(keys: readonly string[]): FacePrediction[] {
    if (!this.model || !this.heads) throw new Error('predict before fit');
    const out: FacePrediction[] = [];
    const CHUNK = 4096; // bounds the input tensor (4096 × 1536 floats = 25 MB)
    for (let i = 0; i < keys.length; i += CHUNK) {
      const part = keys.slice(i, i + CHUNK);
      out.push(...predictFromFeatures(this.model, this.heads, rowsOf(this.table, part), part.length));
    }
    return out;
  }

  evaluate(truth: Labeled[]): MetricSummary {
    return summarize(truth, this.predict(truth.map((r) => r.key)));
  }

  dispose() {
    this.model?.dispose();
    this.model = null;
  }
}
