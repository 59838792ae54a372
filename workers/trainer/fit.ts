/**
 * One training run end to end on cached features: assemble matrices, standardise, build and train
 * the heads with early stopping on val, fold the standardisation in, choose how age is read out
 * (expected value / regression / mean) on val. Used by scripts/train-round0.ts and scripts/eval.ts,
 * and meant for the later fine-tune worker (it takes any records with cached features).
 */
import type * as tf from '@tensorflow/tfjs';
import type { HeadsInfo, Preprocessing } from '../../lib/ml/manifest';
import { type FacePrediction, predictFromFeatures } from '../../lib/ml/predict';
import { type CacheSet, columnStats, featureMatrix, layoutDims, layoutOf, standardize } from './dataset';
import { DEFAULT_HEAD_CONFIG, type HeadConfig, buildHeads, describeHeads, foldStandardization, unfoldStandardization } from './heads';
import { evaluate, type MetricReport, summarize } from './metrics';
import { DEFAULT_TRAIN, type EpochReport, type LabelledSet, type TrainConfig, type TrainControl, trainHeads } from './train';

export type LabelledFace = { key: string; age: number; gender: 0 | 1 | null; race?: string };

export type FitOptions = {
  features: string[];
  /** Training rows: plain crops, plain + mirrored as separate rows, or the mean of both. */
  trainView: 'plain' | 'augment' | 'mean';
  flipTta: Preprocessing['flipTta'];
  head?: Partial<Omit<HeadConfig, 'inputDims'>>;
  train?: Partial<TrainConfig>;
  /**
   * Start from these trained heads (same feature layout) instead of fresh ones: the folded
   * standardisation is unfolded with this training set's statistics, so the start is exactly the
   * parent model; its age-regression scaling is kept.
   */
  warmStart?: { model: tf.LayersModel; heads: HeadsInfo };
};

export type FitResult = {
  model: tf.LayersModel;
  heads: HeadsInfo;
  bestEpoch: number;
  history: EpochReport[];
  trainMs: number;
  val: MetricReport;
  headConfig: HeadConfig;
  trainConfig: TrainConfig;
};

function labels(records: LabelledFace[]) {
  return {
    age: Float32Array.from(records, (r) => r.age),
    gender: Float32Array.from(records, (r) => (r.gender === null ? -1 : r.gender)),
  };
}

/** Predictions for records from cached features, with the given test-time flip handling. */
export function predictCached(model: tf.LayersModel, heads: HeadsInfo, keys: string[], caches: CacheSet, flipTta: Preprocessing['flipTta'], standardization?: { mean: Float32Array; std: Float32Array }): FacePrediction[] {
  const dims = heads.inputDims;
  const prep = (x: Float32Array) => (standardization ? standardize(x, dims, standardization.mean, standardization.std) : x);
  const run = (view: 'plain' | 'flip' | 'mean') => predictFromFeatures(model, heads, prep(featureMatrix(keys, heads.featureLayout, caches, view)), keys.length);
  if (flipTta === 'none') return run('plain');
  if (flipTta === 'mean-features') return run('mean');
  const a = run('plain');
  const b = run('flip');
  return a.map((p, i) => {
    const ageBins = p.ageBins.map((v, k) => (v + b[i].ageBins[k]) / 2);
    const pFemale = (p.pFemale + b[i].pFemale) / 2;
    let bin = 0;
    ageBins.forEach((v, k) => { if (v > ageBins[bin]) bin = k; });
    return { age: (p.age + b[i].age) / 2, pFemale, gender: pFemale >= 0.5 ? 'FEMALE' : 'MALE', ageBins, bin };
  });
}

/** Lower is better; MAE and gender error each relative to the round-0 targets (5.0 y, 6%). */
export function targetScore(ageMae: number, genderAccuracy: number | null): number {
  return ageMae / 5 + (1 - (genderAccuracy ?? 1)) / 0.06;
}

export async function fitHeads(train: LabelledFace[], val: LabelledFace[], caches: CacheSet, opts: FitOptions, log?: (msg: string) => void, control?: TrainControl): Promise<FitResult> {
  const layout = layoutOf(opts.features);
  const dims = layoutDims(layout);
  const trainKeys = train.map((r) => r.key);
  let x: Float32Array;
  let rows = train;
  if (opts.trainView === 'augment') {
    const a = featureMatrix(trainKeys, layout, caches, 'plain');
    const b = featureMatrix(trainKeys, layout, caches, 'flip');
    x = new Float32Array(a.length * 2);
    x.set(a);
    x.set(b, a.length);
    rows = [...train, ...train];
  } else x = featureMatrix(trainKeys, layout, caches, opts.trainView);
  const n = rows.length;
  const stats = columnStats(x, n, dims);
  const y = labels(rows);
  const ageMean = y.age.reduce((s, v) => s + v, 0) / n;
  // At least a year: training labels that all share one age (std 0) would divide by zero (NaN loss).
  const ageStd = Math.max(1, Math.sqrt(y.age.reduce((s, v) => s + (v - ageMean) ** 2, 0) / n));
  const warm = opts.warmStart;
  if (warm && JSON.stringify(warm.heads.featureLayout) !== JSON.stringify(layout)) throw new Error('warm start: the parent model uses other features');
  const headConfig: HeadConfig = { ...DEFAULT_HEAD_CONFIG, ...opts.head, inputDims: dims };
  const ageRegression = warm?.heads.ageRegression ?? { mean: ageMean, std: ageStd };
  const trainConfig: TrainConfig = { ...DEFAULT_TRAIN, ...opts.train, ageRegression };
  const { model, outputs } = warm ? { model: warm.model, outputs: warm.heads.outputs } : buildHeads(headConfig);
  if (warm) {
    const constant = Array.from({ length: dims }, (_, d) => {
      for (let i = 1; i < n; i++) if (x[i * dims + d] !== x[d]) return false;
      return true;
    });
    unfoldStandardization(model, stats.mean, stats.std, constant);
  }
  const heads: HeadsInfo = {
    modelJson: 'model.json',
    weights: ['weights.bin'],
    featureLayout: layout,
    inputDims: dims,
    outputs,
    ageRegression,
    ageFrom: 'mean',
    genderSpecificAge: warm ? warm.heads.genderSpecificAge : headConfig.genderSpecificAge,
    architecture: warm ? warm.heads.architecture : describeHeads(headConfig),
  };
  const set: LabelledSet = { x: standardize(x, dims, stats.mean, stats.std), n, dims, ...y };
  const valKeys = val.map((r) => r.key);
  const validate = () => {
    const preds = predictCached(model, heads, valKeys, caches, opts.flipTta, stats);
    const s = summarize(val, preds);
    return { score: targetScore(s.ageMae, s.genderAccuracy), extra: { mae: s.ageMae, acc: s.genderAccuracy ?? NaN } };
  };
  const t0 = performance.now();
  const result = await trainHeads(model, outputs, set, validate, trainConfig, (r) =>
    log?.(`  epoch ${r.epoch} loss ${r.loss.toFixed(4)} val mae ${r.extra?.mae.toFixed(3)} acc ${(100 * (r.extra?.acc ?? 0)).toFixed(2)}% lr ${r.lr.toExponential(1)} (${(r.ms / 1000).toFixed(1)} s)`),
    control,
  );
  const trainMs = performance.now() - t0;
  foldStandardization(model, stats.mean, stats.std);
  // Pick the age read-out on val.
  let bestVal: MetricReport | null = null;
  for (const ageFrom of ['expected', 'regression', 'mean'] as const) {
    const h = { ...heads, ageFrom };
    const report = evaluate(val, predictCached(model, h, valKeys, caches, opts.flipTta));
    if (!bestVal || report.overall.ageMae < bestVal.overall.ageMae) {
      bestVal = report;
      heads.ageFrom = ageFrom;
    }
  }
  return { model, heads, bestEpoch: result.bestEpoch, history: result.history, trainMs, val: bestVal!, headConfig, trainConfig };
}
