import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE_BIN_COUNT } from '../../../lib/domain/age-bins';
import { loadHeadsFromDir } from '../../../lib/ml/model.node';
import { decodeHeadOutputs } from '../../../lib/ml/predict';
import { buildHeads, DEFAULT_HEAD_CONFIG, foldStandardization } from '../../../workers/trainer/heads';
import { serializeLayersModel, shippedCopy, toFloat16Bits } from '../../../workers/trainer/save-model';
import { softBinTargets } from '../../../workers/trainer/train';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(path.join(tmpdir(), 'facet-ml-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('heads', () => {
  it('folding the standardisation into the first dense layer keeps the outputs', async () => {
    const dims = 6;
    const { model } = buildHeads({ ...DEFAULT_HEAD_CONFIG, inputDims: dims, trunk: [8], branch: 4 });
    const raw = tf.randomNormal([5, dims], 3, 2, 'float32', 1);
    const mean = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const std = Float32Array.from([2, 0.5, 1, 3, 1, 4]);
    const z = tf.div(tf.sub(raw, tf.tensor1d(mean)), tf.tensor1d(std));
    const before = (model.predict(z) as tf.Tensor[]).map((t) => t.dataSync());
    foldStandardization(model, mean, std);
    const after = (model.predict(raw) as tf.Tensor[]).map((t) => t.dataSync());
    before.forEach((b, k) => b.forEach((v, i) => expect(after[k][i]).toBeCloseTo(v, 4)));
  });

  it('saves as model.json + weights.bin that load back with the same outputs', async () => {
    const { model, outputs } = buildHeads({ ...DEFAULT_HEAD_CONFIG, inputDims: 4, trunk: [8], branch: 0, genderSpecificAge: true });
    expect(outputs.map((o) => o.name)).toEqual(['gender', 'age_bins_male', 'age_reg_male', 'age_bins_female', 'age_reg_female']);
    const { json, weights } = await serializeLayersModel(model);
    writeFileSync(path.join(dir, 'model.json'), json);
    writeFileSync(path.join(dir, 'weights.bin'), weights);
    expect(JSON.parse(json).weightsManifest[0].paths).toEqual(['./weights.bin']);
    const loaded = await loadHeadsFromDir(dir);
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 2);
    const a = (model.predict(x) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    const b = (loaded.predict(x) as tf.Tensor[]).map((t) => Array.from(t.dataSync()));
    a.forEach((v, k) => v.forEach((y, i) => expect(b[k][i]).toBeCloseTo(y, 6)));
  });
});

describe('float16 kernels', () => {
  it('encodes floats as IEEE half precision (as tfjs decodes them)', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(0)).toBe(0);
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 5));
    const half = Uint16Array.from(values, toFloat16Bits);
    const decoded = tf.io.decodeWeights(half.buffer, [{ name: 'w', shape: [1000], dtype: 'float32', quantization: { dtype: 'float16' } }]).w.dataSync();
    values.forEach((v, i) => expect(Math.abs(decoded[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25));
  });

  it('shippedCopy halves large kernels and keeps the outputs close', async () => {
    const { model } = buildHeads({ ...DEFAULT_HEAD_CONFIG, inputDims: 300, trunk: [256], branch: 16 });
    const full = await serializeLayersModel(model);
    const small = await serializeLayersModel(model, { float16KernelsOver: 65536 });
    expect(full.weights.byteLength - small.weights.byteLength).toBe(300 * 256 * 2);
    const copy = await shippedCopy(model);
    const x = tf.randomNormal([4, 300], 0, 1, 'float32', 3);
    const a = (model.predict(x) as tf.Tensor[])[1].dataSync();
    const b = (copy.predict(x) as tf.Tensor[])[1].dataSync();
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 3));
  });
});

describe('decodeHeadOutputs', () => {
  const heads = {
    modelJson: 'model.json', weights: ['weights.bin'], featureLayout: [{ backbone: 'b', node: 'n', dims: 1 }], inputDims: 1,
    ageRegression: { mean: 30, std: 10 }, genderSpecificAge: false, architecture: '',
    outputs: [{ name: 'gender', kind: 'gender-sigmoid' as const }, { name: 'age_bins', kind: 'age-bins-softmax' as const }, { name: 'age_reg', kind: 'age-regression' as const }],
  };
  const oneHot = (bin: number) => Array.from({ length: AGE_BIN_COUNT }, (_, i) => (i === bin ? 1 : 0));

  it('reads age as expected value, regression or their mean', () => {
    const outs = [[0.8], oneHot(13) /* 28–31: centre 29.5 */, [1] /* 30 + 10 */];
    expect(decodeHeadOutputs(outs, 1, { ...heads, ageFrom: 'expected' })[0].age).toBeCloseTo(29.5);
    expect(decodeHeadOutputs(outs, 1, { ...heads, ageFrom: 'regression' })[0].age).toBeCloseTo(40);
    const p = decodeHeadOutputs(outs, 1, { ...heads, ageFrom: 'mean' })[0];
    expect(p.age).toBeCloseTo(34.75);
    expect(p.gender).toBe('FEMALE');
    expect(p.bin).toBe(13);
  });
});

describe('soft age-bin targets', () => {
  it('sum to one, peak at the true bin, one-hot with sigma 0', () => {
    const t = softBinTargets(Float32Array.from([30, 1]), 2);
    for (const r of [0, 1]) expect(t.slice(r * AGE_BIN_COUNT, (r + 1) * AGE_BIN_COUNT).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    const row = Array.from(t.slice(0, AGE_BIN_COUNT));
    expect(row.indexOf(Math.max(...row))).toBe(13);
    expect(Array.from(softBinTargets(Float32Array.from([30]), 0))).toEqual(oneHotArr(13));
  });
  const oneHotArr = (bin: number) => Array.from({ length: AGE_BIN_COUNT }, (_, i) => (i === bin ? 1 : 0));
});
