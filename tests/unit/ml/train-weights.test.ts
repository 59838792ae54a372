import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHeads, DEFAULT_HEAD_CONFIG } from '../../../workers/trainer/heads';
import { DEFAULT_TRAIN, type LabelledSet, trainHeads } from '../../../workers/trainer/train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Two groups the features cannot tell apart (every row the same): women of 20 and men of 60. The
 * fit can only land on a weighted compromise, so the per-face weights decide where it lands.
 */
async function fitTwoGroups(weightOfMen: number) {
  const n = 64;
  const dims = 4;
  const set: LabelledSet = {
    x: new Float32Array(n * dims).fill(1),
    n,
    dims,
    age: Float32Array.from({ length: n }, (_, i) => (i % 2 ? 60 : 20)),
    gender: Float32Array.from({ length: n }, (_, i) => (i % 2 ? 0 : 1)), // 1 = female
    weight: Float32Array.from({ length: n }, (_, i) => (i % 2 ? weightOfMen : 1)),
  };
  const { model, outputs } = buildHeads({ ...DEFAULT_HEAD_CONFIG, inputDims: dims, trunk: [16], branch: 0, dropout: 0, inputDropout: 0, seed: 3 });
  let epoch = 0;
  const ageRegression = { mean: 40, std: 20 };
  await trainHeads(model, outputs, set, () => ({ score: -++epoch }), { ...DEFAULT_TRAIN, epochs: 150, batchSize: 32, learningRate: 0.01, patience: 1000, plateau: 1000, ageRegression });
  const out = model.predict(tf.ones([1, dims])) as tf.Tensor[];
  const pFemale = out[outputs.findIndex((o) => o.kind === 'gender-sigmoid')].dataSync()[0];
  const age = out[outputs.findIndex((o) => o.kind === 'age-regression')].dataSync()[0] * ageRegression.std + ageRegression.mean;
  model.dispose();
  return { pFemale, age };
}

describe('per-face loss weights', () => {
  it('a face of weight 0 is not learned from; equal weights land between the groups', async () => {
    const women = await fitTwoGroups(0);
    expect(women.pFemale).toBeGreaterThan(0.8);
    expect(women.age).toBeLessThan(28);
    const both = await fitTwoGroups(1);
    expect(both.pFemale).toBeGreaterThan(0.3);
    expect(both.pFemale).toBeLessThan(0.7);
    expect(both.age).toBeGreaterThan(30);
    expect(both.age).toBeLessThan(50);
  });
});
