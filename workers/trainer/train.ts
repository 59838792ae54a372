/**
 * Training loop for the heads: Adam, mini-batches, masked gender loss (gender < 0 = unknown),
 * age loss = soft-label cross-entropy over the bins + L1 on the expected age + L1 on the
 * regression output; reduce-on-plateau and early stopping on a validation score; keeps the best
 * weights. Custom loop (optimizer.minimize) rather than model.fit, so masks need no loss hacks.
 */
import * as tf from '@tensorflow/tfjs';
import { AGE_BIN_CENTERS, AGE_BIN_COUNT, AGE_BIN_EDGES, ageToBin } from '../../lib/domain/age-bins';
import type { HeadsInfo } from '../../lib/ml/manifest';
import { installWasmMatMulFix } from './wasm-matmul-fix';

/** `weight`: each face's weight in the loss (default 1), e.g. importance weights against a sampling bias. */
export type LabelledSet = { x: Float32Array; n: number; dims: number; age: Float32Array; gender: Float32Array; weight?: Float32Array };

export type LossConfig = { gender: number; binCe: number; expectedL1: number; regL1: number; labelSigma: number; l2: number };
export type TrainConfig = {
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  plateau: number;
  seed: number;
  loss: LossConfig;
  ageRegression: { mean: number; std: number };
};
export const DEFAULT_LOSS: LossConfig = { gender: 1, binCe: 1, expectedL1: 0.5, regL1: 0.5, labelSigma: 2, l2: 1e-5 };
export const DEFAULT_TRAIN: Omit<TrainConfig, 'ageRegression'> = {
  epochs: 40, batchSize: 128, learningRate: 1e-3, patience: 8, plateau: 4, seed: 7, loss: DEFAULT_LOSS,
};

/** Soft age-bin targets: a Gaussian (σ = max(labelSigma, 5% of age) years) integrated per bin. */
export function softBinTargets(ages: Float32Array, sigma: number): Float32Array {
  const out = new Float32Array(ages.length * AGE_BIN_COUNT);
  const erf = (z: number) => {
    const t = 1 / (1 + 0.3275911 * Math.abs(z));
    const y = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-z * z);
    return z >= 0 ? y : -y;
  };
  ages.forEach((age, r) => {
    const bin = ageToBin(age);
    if (sigma <= 0) return void (out[r * AGE_BIN_COUNT + bin] = 1);
    const s = Math.max(sigma, 0.05 * age) * Math.SQRT2;
    const a = age + 0.5; // integer ages: centre of the year
    const cdf = (v: number) => 0.5 * (1 + erf((v - a) / s));
    let total = 0;
    for (let i = 0; i < AGE_BIN_COUNT; i++) {
      const lo = i === 0 ? -Infinity : AGE_BIN_EDGES[i];
      const hi = i + 1 < AGE_BIN_COUNT ? AGE_BIN_EDGES[i + 1] : Infinity;
      const m = cdf(hi) - cdf(lo);
      out[r * AGE_BIN_COUNT + i] = m;
      total += m;
    }
    for (let i = 0; i < AGE_BIN_COUNT; i++) out[r * AGE_BIN_COUNT + i] /= total;
  });
  return out;
}

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const yieldToEventLoop = () => new Promise<void>((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));

/** Mean of `v` over the rows `mask` weighs (0/1 masks times per-face weights); 0 when it weighs none. */
const maskedMean = (v: tf.Tensor1D, mask: tf.Tensor1D) => tf.div(tf.sum(tf.mul(v, mask)), tf.maximum(tf.sum(mask), 1e-6));

function batchLoss(model: tf.LayersModel, info: HeadsInfo['outputs'], xb: tf.Tensor2D, yb: Record<string, tf.Tensor>, cfg: TrainConfig): tf.Scalar {
  const outs = model.apply(xb, { training: true }) as tf.Tensor[];
  const L = cfg.loss;
  const eps = 1e-7;
  const gender = yb.gender as tf.Tensor1D;
  const weight = yb.weight as tf.Tensor1D;
  const known = tf.mul(tf.cast(tf.greaterEqual(gender, 0), 'float32'), weight) as tf.Tensor1D;
  const p = tf.clipByValue(outs[info.findIndex((o) => o.kind === 'gender-sigmoid')].reshape([-1]), eps, 1 - eps);
  const y = tf.clipByValue(gender, 0, 1);
  const bce = tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))))) as tf.Tensor1D;
  let total = tf.mul(L.gender, maskedMean(bce, known)) as tf.Scalar;
  const centers = tf.tensor2d(AGE_BIN_CENTERS as number[], [AGE_BIN_COUNT, 1]);
  info.forEach((o, k) => {
    const mask = !o.gender ? weight : tf.mul(weight, tf.cast(tf.equal(gender, o.gender === 'MALE' ? 0 : 1), 'float32'));
    if (o.kind === 'age-bins-softmax') {
      const ce = tf.neg(tf.sum(tf.mul(yb.bins, tf.log(tf.add(outs[k], eps))), 1)) as tf.Tensor1D;
      const expected = tf.matMul(outs[k], centers).reshape([-1]);
      const l1 = tf.div(tf.abs(tf.sub(expected, yb.age)), cfg.ageRegression.std) as tf.Tensor1D;
      total = tf.add(total, tf.add(tf.mul(L.binCe, maskedMean(ce, mask as tf.Tensor1D)), tf.mul(L.expectedL1, maskedMean(l1, mask as tf.Tensor1D))));
    } else if (o.kind === 'age-regression') {
      const l1 = tf.abs(tf.sub(outs[k].reshape([-1]), yb.ageZ)) as tf.Tensor1D;
      total = tf.add(total, tf.mul(L.regL1, maskedMean(l1, mask as tf.Tensor1D)));
    }
  });
  if (L.l2 > 0) {
    for (const w of model.trainableWeights) if (w.name.includes('kernel')) total = tf.add(total, tf.mul(L.l2, tf.sum(tf.square(w.read()))));
  }
  return total;
}

/** Raised when the training loss stops being a finite number (diverged or bad input). */
export class NonFiniteLossError extends Error {
  constructor(epoch: number) {
    super(`training loss became NaN/Infinity in epoch ${epoch + 1}`);
    this.name = 'NonFiniteLossError';
  }
}

/** Optional controls: stop on `signal` (checked between batches); `onEpoch` sees each report (may throw to stop). */
export type TrainControl = { signal?: AbortSignal; onEpoch?: (r: EpochReport) => void };

export type EpochReport = { epoch: number; loss: number; score: number; lr: number; ms: number; extra?: Record<string, number> };

/**
 * Train in place; `validate` returns a score (lower is better) for the current weights.
 * Restores the best weights before returning.
 */
export async function trainHeads(
  model: tf.LayersModel,
  info: HeadsInfo['outputs'],
  train: LabelledSet,
  validate: () => { score: number; extra?: Record<string, number> },
  cfg: TrainConfig,
  log: (r: EpochReport) => void = () => {},
  control: TrainControl = {},
): Promise<{ bestEpoch: number; bestScore: number; history: EpochReport[] }> {
  installWasmMatMulFix();
  const optimizer = tf.train.adam(cfg.learningRate);
  const X = tf.tensor2d(train.x, [train.n, train.dims]);
  const ages = tf.tensor1d(train.age);
  const Y = {
    gender: tf.tensor1d(train.gender),
    age: ages,
    ageZ: tf.div(tf.sub(ages, cfg.ageRegression.mean), cfg.ageRegression.std),
    bins: tf.tensor2d(softBinTargets(train.age, cfg.loss.labelSigma), [train.n, AGE_BIN_COUNT]),
    weight: train.weight ? tf.tensor1d(train.weight) : tf.ones([train.n]),
  };
  const rand = mulberry32(cfg.seed);
  const order = Array.from({ length: train.n }, (_, i) => i);
  let best = { score: Infinity, epoch: -1, weights: [] as tf.Tensor[] };
  let sincePlateau = 0;
  const history: EpochReport[] = [];
  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const t0 = performance.now();
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start + 2 <= train.n; start += cfg.batchSize) {
        control.signal?.throwIfAborted();
        const idx = tf.tensor1d(order.slice(start, start + cfg.batchSize), 'int32');
        const loss = optimizer.minimize(() => tf.tidy(() => {
          const yb = Object.fromEntries(Object.entries(Y).map(([k, t]) => [k, tf.gather(t, idx)]));
          return batchLoss(model, info, tf.gather(X, idx) as tf.Tensor2D, yb, cfg);
        }), true) as tf.Scalar;
        lossSum += loss.dataSync()[0];
        batches++;
        loss.dispose();
        idx.dispose();
        await yieldToEventLoop(); // heartbeats and cancel checks run between batches
      }
      const { score, extra } = validate();
      const lr = (optimizer as unknown as { learningRate: number }).learningRate;
      const report = { epoch, loss: lossSum / batches, score, lr, ms: performance.now() - t0, extra };
      history.push(report);
      log(report);
      control.onEpoch?.(report);
      if (!Number.isFinite(report.loss)) throw new NonFiniteLossError(epoch);
      if (score < best.score) {
        best.weights.forEach((w) => w.dispose());
        best = { score, epoch, weights: model.getWeights().map((w) => w.clone()) };
        sincePlateau = 0;
      } else if (++sincePlateau >= cfg.plateau) {
        (optimizer as unknown as { learningRate: number }).learningRate = lr / 2;
        sincePlateau = 0;
      }
      if (epoch - best.epoch >= cfg.patience) break;
    }
    if (best.weights.length) model.setWeights(best.weights);
  } finally {
    best.weights.forEach((w) => w.dispose());
    [X, ...Object.values(Y)].forEach((t) => t.dispose());
    optimizer.dispose();
  }
  return { bestEpoch: best.epoch, bestScore: best.score, history };
}
