/**
 * Facet's multi-task heads (tf.layers) on frozen backbone features, in the paper's style:
 * dense → batch norm → ReLU → dropout blocks; a shared trunk, then a gender branch (sigmoid,
 * P(female)) and an age branch (softmax over the 24 bins + a standardised regression output).
 * With `genderSpecificAge` the age branch is duplicated per gender (mixed by P(female) at inference).
 */
import * as tf from '@tensorflow/tfjs';
import { AGE_BIN_COUNT } from '../../lib/domain/age-bins';
import type { HeadsInfo } from '../../lib/ml/manifest';

export type HeadConfig = {
  inputDims: number;
  /** Widths of the shared trunk's blocks (first is the folded-standardisation dense). */
  trunk: number[];
  /** Width of each branch's block (0 = branch directly on the trunk). */
  branch: number;
  dropout: number;
  /** Dropout on the input features (0 = none). */
  inputDropout: number;
  genderSpecificAge: boolean;
  seed: number;
};

export const DEFAULT_HEAD_CONFIG: Omit<HeadConfig, 'inputDims'> = {
  trunk: [512],
  branch: 128,
  dropout: 0.3,
  inputDropout: 0.1,
  genderSpecificAge: false,
  seed: 1,
};

export const FIRST_DENSE = 'trunk_0_dense';

function block(x: tf.SymbolicTensor, units: number, name: string, cfg: HeadConfig, seed: number): tf.SymbolicTensor {
  let y = tf.layers
    .dense({
      units,
      name: `${name}_dense`,
      kernelInitializer: tf.initializers.heNormal({ seed }),
    })
    .apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
  // No `seed`: tfjs re-seeds on every call, so a seeded dropout layer drops the same units every batch.
  if (cfg.dropout > 0) y = tf.layers.dropout({ rate: cfg.dropout, name: `${name}_dropout` }).apply(y) as tf.SymbolicTensor;
  return y;
}

function ageBranch(trunk: tf.SymbolicTensor, cfg: HeadConfig, suffix: string, seed: number): tf.SymbolicTensor[] {
  const h = cfg.branch > 0 ? block(trunk, cfg.branch, `age${suffix}`, cfg, seed) : trunk;
  const bins = tf.layers.dense({ units: AGE_BIN_COUNT, activation: 'softmax', name: `age_bins${suffix}` }).apply(h) as tf.SymbolicTensor;
  const reg = tf.layers.dense({ units: 1, name: `age_reg${suffix}` }).apply(h) as tf.SymbolicTensor;
  return [bins, reg];
}

export function buildHeads(cfg: HeadConfig): { model: tf.LayersModel; outputs: HeadsInfo['outputs'] } {
  const input = tf.input({ shape: [cfg.inputDims], name: 'features' });
  let x: tf.SymbolicTensor = input;
  if (cfg.inputDropout > 0) x = tf.layers.dropout({ rate: cfg.inputDropout, name: 'input_dropout' }).apply(x) as tf.SymbolicTensor;
  cfg.trunk.forEach((units, i) => {
    x = block(x, units, `trunk_${i}`, cfg, cfg.seed + i);
  });
  const g = cfg.branch > 0 ? block(x, cfg.branch, 'gender', cfg, cfg.seed + 10) : x;
  const gender = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'gender' }).apply(g) as tf.SymbolicTensor;
  const outputs: tf.SymbolicTensor[] = [gender];
  const info: HeadsInfo['outputs'] = [{ name: 'gender', kind: 'gender-sigmoid' }];
  if (cfg.genderSpecificAge) {
    for (const [suffix, gname, s] of [['_male', 'MALE', 20], ['_female', 'FEMALE', 30]] as const) {
      outputs.push(...ageBranch(x, cfg, suffix, cfg.seed + s));
      info.push({ name: `age_bins${suffix}`, kind: 'age-bins-softmax', gender: gname }, { name: `age_reg${suffix}`, kind: 'age-regression', gender: gname });
    }
  } else {
    outputs.push(...ageBranch(x, cfg, '', cfg.seed + 20));
    info.push({ name: 'age_bins', kind: 'age-bins-softmax' }, { name: 'age_reg', kind: 'age-regression' });
  }
  return { model: tf.model({ inputs: input, outputs, name: 'facet_agegender_heads' }), outputs: info };
}

export function describeHeads(cfg: HeadConfig): string {
  const blk = (u: number) => `dense(${u})+BN+ReLU+dropout(${cfg.dropout})`;
  return (
    `input(${cfg.inputDims})${cfg.inputDropout ? `+dropout(${cfg.inputDropout})` : ''} → ${cfg.trunk.map(blk).join(' → ')} → ` +
    `gender: ${cfg.branch ? blk(cfg.branch) + ' → ' : ''}dense(1, sigmoid); ` +
    `age${cfg.genderSpecificAge ? ' (one branch per gender)' : ''}: ${cfg.branch ? blk(cfg.branch) + ' → ' : ''}dense(24, softmax) + dense(1)`
  );
}

/**
 * Fold feature standardisation ((x − mean) / std) into the first dense layer, so the saved model
 * takes raw backbone features: W' = W / std (per input row), b' = b − (mean / std) · W.
 */
export function foldStandardization(model: tf.LayersModel, mean: Float32Array, std: Float32Array): void {
  const layer = model.getLayer(FIRST_DENSE);
  const [kernel, bias] = layer.getWeights();
  const [inDims, units] = kernel.shape;
  const w = kernel.dataSync();
  const b = Float32Array.from(bias.dataSync());
  const w2 = new Float32Array(w.length);
  for (let i = 0; i < inDims; i++) {
    for (let u = 0; u < units; u++) {
      const v = w[i * units + u] / std[i];
      w2[i * units + u] = v;
      b[u] -= mean[i] * v;
    }
  }
  layer.setWeights([tf.tensor2d(w2, [inDims, units]), tf.tensor1d(b)]);
}

/**
 * Inverse of foldStandardization for new statistics: the returned first layer takes
 * standardised inputs ((x − mean) / std) and computes exactly what the folded layer computed
 * on raw x: W = W' · std (per input row), b = b' + mean · W'.
 */
export function unfoldStandardization(model: tf.LayersModel, mean: Float32Array, std: Float32Array, constant?: boolean[]): void {
  const layer = model.getLayer(FIRST_DENSE);
  const [kernel, bias] = layer.getWeights();
  const [inDims, units] = kernel.shape;
  const w = kernel.dataSync();
  const b = Float32Array.from(bias.dataSync());
  const w2 = new Float32Array(w.length);
  for (let i = 0; i < inDims; i++) {
    for (let u = 0; u < units; u++) {
      // A column constant in this data adds nothing but its mean (kept in b); the parent's folded weight on it can be
      // huge (its std there was tiny), which L2 would then dominate on: start it at 0 instead.
      w2[i * units + u] = constant?.[i] ? 0 : w[i * units + u] * std[i];
      b[u] += mean[i] * w[i * units + u];
    }
  }
  layer.setWeights([tf.tensor2d(w2, [inDims, units]), tf.tensor1d(b)]);
}
