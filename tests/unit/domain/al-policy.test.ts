import { describe, expect, it } from 'vitest';
import { AGE_BIN_CENTERS, AGE_BIN_COUNT } from '@/lib/domain/age-bins';
import { expectedAgeError, facetScore, mixedScore, queueBatch, queueCandidate, type FacePrediction } from '@/lib/domain/al-policy';
import { DEFAULT_QUEUE_POLICY, type QueueCandidate, type RecentFace, seededRng } from '@/lib/domain/queue-policy';
import { uncertainty } from '@/lib/domain/uncertainty';

const oneHot = (bin: number) => Array.from({ length: AGE_BIN_COUNT }, (_, i) => (i === bin ? 1 : 0));
const pred = (pFemale: number, ageBins: number[]): FacePrediction => ({
  pFemale,
  ageBins,
  age: ageBins.reduce((s, p, i) => s + p * AGE_BIN_CENTERS[i], 0),
});
const cand = (id: string, u: number, gender = 'MALE', bin = 10): QueueCandidate => ({ id, imageId: `img-${id}`, uncertainty: u, uncertaintyWhy: null, predGender: gender, predAgeBin: bin });

describe('active-learning queue reproduction', () => {
  it('scores faces with the product uncertainty (no detector term) and the predicted cell', () => {
    const p = pred(0.3, oneHot(12));
    const c = queueCandidate('f1', 'i1', p);
    expect(c.uncertainty).toBe(uncertainty({ pMale: 0.7, ageProbs: p.ageBins, detScore: null }).score);
    expect(c).toMatchObject({ id: 'f1', imageId: 'i1', predGender: 'MALE', predAgeBin: 12 });
    expect(queueCandidate('f2', 'i2', pred(0.9, oneHot(3))).predGender).toBe('FEMALE');
    expect(facetScore(pred(0.5, oneHot(3))).score).toBeGreaterThan(facetScore(pred(0.99, oneHot(3))).score);
  });

  it('measures age uncertainty in years: an adult unsure over decades outranks a child unsure over two bins', () => {
    const child = Array.from({ length: AGE_BIN_COUNT }, (_, i) => (i === 3 || i === 5 ? 0.5 : 0));
    const adult = Array.from({ length: AGE_BIN_COUNT }, (_, i) => (i === 14 || i === 19 ? 0.5 : 0));
    expect(expectedAgeError(pred(0, oneHot(8)))).toBe(0);
    expect(expectedAgeError(pred(0, child))).toBeCloseTo((AGE_BIN_CENTERS[5] - AGE_BIN_CENTERS[3]) / 2);
    expect(expectedAgeError(pred(0, adult))).toBeGreaterThan(5 * expectedAgeError(pred(0, child)));
    const byYears = mixedScore({ ageError: 1 });
    expect(byYears(pred(0, adult)).score).toBeGreaterThan(byYears(pred(0, child)).score);
    expect(byYears(pred(0, adult)).why).toMatch(/^age uncertain: ±\d+ years$/);
    const mix = mixedScore({ gender: 0.5, entropy: 0.5 });
    expect(mix(pred(0.5, oneHot(10)))).toEqual({ score: 0.5, why: 'gender uncertain: p(male) 0.50' });
  });

  it('without a random slice or diversity conflicts, serves the most uncertain faces in order', () => {
    const pool = [cand('a', 0.2, 'MALE', 1), cand('b', 0.9, 'MALE', 2), cand('c', 0.5, 'MALE', 3), cand('d', 0.7, 'MALE', 4)];
    const picks = queueBatch(pool, 3, { ...DEFAULT_QUEUE_POLICY, randomShare: 0 }, seededRng(1));
    expect(picks.map((p) => p.id)).toEqual(['b', 'd', 'c']);
    expect(picks.every((p) => p.mode === 'UNCERTAINTY' && !p.diversityRelaxed)).toBe(true);
  });

  it('applies the diversity rule across picks and batches (no 3 of one cell in a row)', () => {
    const pool = [cand('a', 0.9), cand('b', 0.8), cand('c', 0.7), cand('d', 0.6, 'FEMALE', 2), cand('e', 0.5)];
    const recent: RecentFace[] = [];
    const first = queueBatch(pool, 2, { ...DEFAULT_QUEUE_POLICY, randomShare: 0 }, seededRng(1), recent);
    expect(first.map((p) => p.id)).toEqual(['a', 'b']);
    const rest = pool.filter((c) => !first.some((p) => p.id === c.id));
    const second = queueBatch(rest, 2, { ...DEFAULT_QUEUE_POLICY, randomShare: 0 }, seededRng(1), recent);
    expect(second.map((p) => p.id)).toEqual(['d', 'c']);
  });

  it('serves every face exactly once and draws the random slice at about its share', () => {
    const pool = Array.from({ length: 4000 }, (_, i) => cand(`f${i}`, (i * 7919) % 4000 / 4000, i % 2 ? 'MALE' : 'FEMALE', i % 24));
    const picks = queueBatch(pool, 4000, DEFAULT_QUEUE_POLICY, seededRng(7));
    expect(new Set(picks.map((p) => p.id)).size).toBe(4000);
    const random = picks.filter((p) => p.mode === 'RANDOM').length / picks.length;
    expect(random).toBeGreaterThan(0.08);
    expect(random).toBeLessThan(0.12);
    const again = queueBatch(pool, 50, DEFAULT_QUEUE_POLICY, seededRng(7));
    expect(again.map((p) => p.id)).toEqual(picks.slice(0, 50).map((p) => p.id));
  });

  it('random picks come from across the queue, not just its top', () => {
    const pool = Array.from({ length: 1000 }, (_, i) => cand(`f${i}`, 1 - i / 1000, 'MALE', i % 24));
    const picks = queueBatch(pool, 200, { ...DEFAULT_QUEUE_POLICY, randomShare: 1 }, seededRng(3));
    const ranks = picks.map((p) => Number(p.id.slice(1)));
    expect(Math.max(...ranks)).toBeGreaterThan(800);
    expect(ranks.filter((r) => r < 500).length).toBeGreaterThan(60);
    expect(ranks.filter((r) => r >= 500).length).toBeGreaterThan(60);
  });
});
