import { describe, expect, it } from 'vitest';
import { binText, fromProbabilities, shortLabel } from '@/components/prelabel/face-label';

describe('box labels', () => {
  it('reads a browser prediction the way the server stores it', () => {
    const ageProbs = Array.from({ length: 24 }, (_, i) => (i === 20 ? 0.61 : 0.39 / 23));
    const p = fromProbabilities({ pMale: 0.03, ageProbs, age: 31.4 });
    expect(p).toMatchObject({ gender: 'FEMALE', ageBin: 20, ageBinConf: 0.61 });
    expect(p.genderConf).toBeCloseTo(0.97);
    expect(shortLabel(p)).toBe('Female 97% · 31 y');
    expect(binText(p)).toMatch(/^\d+(–\d+)? y \(61%\)$/);
  });

  it('says what is missing instead of inventing it', () => {
    expect(shortLabel({ gender: null, genderConf: null, age: null, ageBin: null, ageBinConf: null })).toBe('? · ? y');
    expect(binText({ gender: null, genderConf: null, age: null, ageBin: null, ageBinConf: null })).toBe('–');
  });
});
