import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FeatureTable } from '../../../bench/al/data';
import { EnsembleLearner, makeLearner, meanPrediction } from '../../../bench/al/ensemble';
import { HeadsLearner, type Labeled } from '../../../bench/al/learner';
import { seededRng } from '../../../lib/domain/queue-policy';
import type { FacePrediction } from '../../../lib/ml/predict';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const bins = (hot: number) => Array.from({ length: 24 }, (_, i) => (i === hot ? 1 : 0));

describe('active-learning bench: mean of several fits', () => {
  it('averages ages, bins and P(female), and re-derives gender and bin', () => {
    const a: FacePrediction = { age: 20, pFemale: 0.9, gender: 'FEMALE', ageBins: bins(5), bin: 5 };
    const b: FacePrediction = { age: 40, pFemale: 0.2, gender: 'MALE', ageBins: bins(9), bin: 9 };
    const c: FacePrediction = { age: 30, pFemale: 0.1, gender: 'MALE', ageBins: bins(9), bin: 9 };
    const m = meanPrediction([a, b, c]);
    expect(m.age).toBeCloseTo(30, 9);
    expect(m.pFemale).toBeCloseTo(0.4, 9);
    expect(m.gender).toBe('MALE');
    expect(m.bin).toBe(9);
    expect(m.ageBins[5]).toBeCloseTo(1 / 3, 9);
    expect(m.ageBins.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
  });

  it('fits its members on the same labels; their mean is no worse than they are on average', async () => {
    const rng = seededRng(11);
    const n = 400;
    const dims = 6;
    const rows = Array.from({ length: n }, () => Array.from({ length: dims }, () => rng() * 2 - 1));
    const keys = rows.map((_, i) => `f${i}`);
    const table: FeatureTable = { keys, dims, x: Float32Array.from(rows.flat()), rowOf: new Map(keys.map((k, i) => [k, i])) };
    const faces: Labeled[] = rows.map((r, i) => ({ key: keys[i], age: Math.round(35 + 15 * r[0] - 10 * r[1] + (rng() - 0.5) * 4), gender: r[2] > 0 ? 1 : 0 }));
    const small = { warmStart: false, steps: 80, head: { trunk: [32], branch: 16 } };
    const train = faces.slice(0, 300);
    const test = faces.slice(300);
    expect(makeLearner(table, [], small, 3)).toBeInstanceOf(HeadsLearner);
    const learner = makeLearner(table, [], small, 3, 3) as EnsembleLearner;
    expect(learner).toBeInstanceOf(EnsembleLearner);
    await learner.fit(train);
    expect(learner.fits).toBe(1);
    const testKeys = test.map((f) => f.key);
    const each = learner.memberPredictions(testKeys);
    expect(each).toHaveLength(3);
    expect(each[0][0].age).not.toBe(each[1][0].age); // different seeds, different fits
    const mae = (p: FacePrediction[]) => p.reduce((s, x, i) => s + Math.abs(x.age - test[i].age), 0) / p.length;
    const ensemble = mae(learner.predict(testKeys));
    expect(ensemble).toBeLessThanOrEqual(each.reduce((s, p) => s + mae(p), 0) / 3 + 1e-9);
    const meanAge = train.reduce((s, f) => s + f.age, 0) / train.length;
    const baseline = test.reduce((s, f) => s + Math.abs(meanAge - f.age), 0) / test.length;
    expect(ensemble).toBeLessThan(baseline); // it learned the age from the features
    expect(learner.evaluate(test).ageMae).toBeCloseTo(ensemble, 4);
    learner.dispose();
  }, 60_000);
});
