import { describe, expect, it } from 'vitest';
import { decidePromotion } from '@/lib/server/models/gate';

const rule = { maeEpsilon: 0.05, accEpsilon: 0.005, minHeldOut: 10 };
const s = (ageMae: number, genderAccuracy: number | null, n = 100) => ({ n, ageMae, genderAccuracy });

describe('promotion gate', () => {
  it('promotes a candidate better on MAE and not worse on gender', () => {
    expect(decidePromotion(s(4.0, 0.95), s(4.3, 0.95), rule)).toMatchObject({ promote: true });
  });
  it('promotes a candidate better on gender with MAE within ε', () => {
    expect(decidePromotion(s(4.33, 0.96), s(4.3, 0.95), rule)).toMatchObject({ promote: true });
  });
  it('rejects MAE worse beyond ε, even with better gender accuracy', () => {
    expect(decidePromotion(s(4.4, 0.99), s(4.3, 0.95), rule)).toMatchObject({ promote: false, reason: expect.stringMatching(/age MAE worse/) });
  });
  it('rejects gender accuracy worse beyond ε', () => {
    expect(decidePromotion(s(3.0, 0.93), s(4.3, 0.95), rule)).toMatchObject({ promote: false, reason: expect.stringMatching(/gender accuracy worse/) });
  });
  it('tolerates a gender difference of one held-out face when ε is smaller', () => {
    expect(decidePromotion(s(4.0, 0.94, 50), s(4.3, 0.96, 50), rule)).toMatchObject({ promote: true });
    expect(decidePromotion(s(4.0, 0.92, 50), s(4.3, 0.96, 50), rule)).toMatchObject({ promote: false });
  });
  it('rejects a tie (not better on either)', () => {
    expect(decidePromotion(s(4.3, 0.95), s(4.3, 0.95), rule)).toMatchObject({ promote: false, reason: expect.stringMatching(/not better/) });
  });
  it('rejects too few held-out faces and non-finite MAE; promotes when there is nothing to compare with', () => {
    expect(decidePromotion(s(1, 1, 5), s(9, 0.5), rule).promote).toBe(false);
    expect(decidePromotion(s(Number.NaN, 1), s(9, 0.5), rule).promote).toBe(false);
    expect(decidePromotion(s(4, 0.9), null, rule).promote).toBe(true);
  });
  it('no held-out face at all (a first round on few images): rejected with that reason, not a NaN one', () => {
    expect(decidePromotion(s(Number.NaN, null, 0), null, rule)).toMatchObject({ promote: false, reason: 'only 0 held-out faces (need 10)' });
  });
  it('ignores gender when either side has no known-gender faces', () => {
    expect(decidePromotion(s(4.0, null), s(4.3, 0.95), rule).promote).toBe(true);
  });
});
