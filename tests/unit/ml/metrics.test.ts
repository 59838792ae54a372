import { describe, expect, it } from 'vitest';
import { evaluate, expectedCalibrationError, summarize, type Prediction, type Truth } from '../../../workers/trainer/metrics';

describe('summarize', () => {
  const truth: Truth[] = [
    { age: 1, gender: 0, race: 'WHITE' }, // bin 1
    { age: 30, gender: 1, race: 'BLACK' }, // bin 13 (28–31)
    { age: 70, gender: 1, race: 'WHITE' }, // bin 21 (66–71)
    { age: 45, gender: null, race: 'ASIAN' }, // bin 17 (45–49), gender unknown
  ];
  const preds: Prediction[] = [
    { age: 3, pFemale: 0.2, bin: 1 }, // |err| 2, right, bin exact
    { age: 25, pFemale: 0.4, bin: 12 }, // |err| 5, wrong gender, bin off by 1
    { age: 70, pFemale: 0.9, bin: 18 }, // |err| 0, right, bin off by 3
    { age: 49, pFemale: 0.7, bin: 17 }, // |err| 4, gender not scored
  ];

  it('computes MAE, gender accuracy over known genders, and bin accuracy', () => {
    const s = summarize(truth, preds);
    expect(s.n).toBe(4);
    expect(s.ageMae).toBeCloseTo((2 + 5 + 0 + 4) / 4, 10);
    expect(s.genderAccuracy).toBeCloseTo(2 / 3, 10);
    expect(s.binExact).toBeCloseTo(2 / 4, 10);
    expect(s.binWithin1).toBeCloseTo(3 / 4, 10);
  });

  it('groups by age band, gender and race', () => {
    const r = evaluate(truth, preds);
    expect(r.byAgeBand['0–2'].n).toBe(1);
    expect(r.byAgeBand['0–2'].ageMae).toBe(2);
    expect(r.byAgeBand['70+'].ageMae).toBe(0);
    expect(r.byAgeBand['10–19']).toBeUndefined(); // empty bands are left out
    expect(r.byGender.FEMALE.n).toBe(2);
    expect(r.byGender.FEMALE.genderAccuracy).toBe(0.5);
    expect(r.byGender.UNKNOWN.genderAccuracy).toBeNull();
    expect(r.byRace.WHITE.ageMae).toBe(1);
    expect(r.overall.n).toBe(4);
  });

  it('handles empty input', () => {
    expect(summarize([], []).n).toBe(0);
    expect(() => summarize(truth, preds.slice(1))).toThrow();
  });
});

describe('expectedCalibrationError', () => {
  it('is 0 for perfectly calibrated confident predictions', () => {
    expect(expectedCalibrationError([1, 0, 1, 0], [1, 0, 1, 0])).toBe(0);
  });

  it('matches a hand computation', () => {
    // confidences: 0.9 (right), 0.9 (wrong), 0.6 (right), 0.7 (right)
    const p = [0.9, 0.1, 0.6, 0.3];
    const y: (0 | 1)[] = [1, 1, 1, 0];
    // bins of width 0.05 over [0.5, 1]: 0.9 → bin 8 (two items: acc 0.5, conf 0.9),
    // 0.6 → bin 2 (acc 1, conf 0.6), 0.7 → bin 4 (acc 1, conf 0.7)
    const expected = (2 / 4) * Math.abs(0.5 - 0.9) + (1 / 4) * Math.abs(1 - 0.6) + (1 / 4) * Math.abs(1 - 0.7);
    expect(expectedCalibrationError(p, y)).toBeCloseTo(expected, 10);
  });
});
