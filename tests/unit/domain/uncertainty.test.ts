import { describe, expect, it } from 'vitest';
import { genderUncertainty, normalizedEntropy, uncertainty } from '@/lib/domain/uncertainty';

const peaked = Array.from({ length: 24 }, (_, i) => (i === 10 ? 0.97 : 0.03 / 23));
const flat = Array(24).fill(1 / 24);

describe('uncertainty', () => {
  it('scores its components', () => {
    expect(genderUncertainty(0.5)).toBe(1);
    expect(genderUncertainty(1)).toBe(0);
    expect(genderUncertainty(0.1)).toBeCloseTo(0.2);
    expect(normalizedEntropy(flat)).toBeCloseTo(1);
    expect(normalizedEntropy(peaked)).toBeLessThan(0.1);
  });

  it('ranks a coin-flip gender above a confident face and says why', () => {
    const sure = uncertainty({ pMale: 0.98, ageProbs: peaked, detScore: 0.99 });
    const unsure = uncertainty({ pMale: 0.52, ageProbs: peaked, detScore: 0.99 });
    expect(unsure.score).toBeGreaterThan(sure.score);
    expect(unsure.why).toBe('gender uncertain: p(male) 0.52');
    const vagueAge = uncertainty({ pMale: 0.99, ageProbs: flat, detScore: 0.95 });
    expect(vagueAge.why).toMatch(/^age uncertain/);
    expect(vagueAge.score).toBeGreaterThan(0.3);
    expect(uncertainty({ pMale: 0.99, ageProbs: peaked, detScore: 0.2 }).why).toBe('detector unsure: score 0.20');
  });

  it('stays within 0..1', () => {
    const worst = uncertainty({ pMale: null, ageProbs: null, detScore: 0 });
    expect(worst.score).toBeCloseTo(1);
    expect(uncertainty({ pMale: 1, ageProbs: [1, ...Array(23).fill(0)], detScore: 1 }).score).toBe(0);
  });
});
