import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUEUE_POLICY,
  type QueueCandidate,
  type RecentFace,
  chooseMode,
  isDiverse,
  pickFace,
  policyFromEnv,
  seededRng,
} from '@/lib/domain/queue-policy';

const face = (id: string, imageId: string, uncertainty: number, predGender: string | null = 'MALE', predAgeBin: number | null = 10, why: string | null = null): QueueCandidate => ({
  id,
  imageId,
  uncertainty,
  uncertaintyWhy: why,
  predGender,
  predAgeBin,
});
const recent = (imageId: string, predGender: string | null = 'MALE', predAgeBin: number | null = 10): RecentFace => ({ imageId, predGender, predAgeBin });
const policy = DEFAULT_QUEUE_POLICY;

describe('queue policy', () => {
  it('serves the first candidate (highest uncertainty) when nothing was labeled before, with its reason', () => {
    const pick = pickFace([face('a', 'i1', 0.9, 'FEMALE', 3, 'gender uncertain: 0.52'), face('b', 'i2', 0.5)], [], 'UNCERTAINTY');
    expect(pick).toMatchObject({ face: { id: 'a' }, mode: 'UNCERTAINTY', why: 'gender uncertain: 0.52', diversityRelaxed: false });
    expect(pickFace([face('b', 'i2', 0.4567)], [], 'UNCERTAINTY')!.why).toBe('model uncertainty: 0.46');
  });

  it('passes over faces of the images of the last 3 faces', () => {
    const candidates = [face('a', 'i1', 0.9, 'FEMALE', 1), face('b', 'i2', 0.8, 'FEMALE', 2), face('c', 'i3', 0.7, 'FEMALE', 3), face('d', 'i4', 0.6, 'FEMALE', 4)];
    const history = [recent('i1', 'MALE', 5), recent('i2', 'MALE', 6), recent('i3', 'MALE', 7), recent('i4', 'MALE', 8)];
    expect(pickFace(candidates, history, 'UNCERTAINTY')!.face.id).toBe('d'); // i4 is 4th back: allowed
    expect(pickFace(candidates, history.slice(1), 'UNCERTAINTY')!.face.id).toBe('a');
  });

  it('allows at most 2 faces in a row of the same predicted gender × age-bin cell', () => {
    const candidates = [face('a', 'i1', 0.9, 'MALE', 10), face('b', 'i2', 0.8, 'MALE', 11), face('c', 'i3', 0.7, 'FEMALE', 10)];
    expect(pickFace(candidates, [recent('x', 'MALE', 10)], 'UNCERTAINTY')!.face.id).toBe('a'); // 2nd in a row is fine
    expect(pickFace(candidates, [recent('x', 'MALE', 10), recent('y', 'MALE', 10)], 'UNCERTAINTY')!.face.id).toBe('b'); // a would be the 3rd
    expect(pickFace(candidates, [recent('x', 'MALE', 10), recent('y', 'MALE', 9)], 'UNCERTAINTY')!.face.id).toBe('a'); // run broken
    // Faces without a prediction have no cell and never trip the rule.
    expect(isDiverse(face('n', 'i9', 0.1, null, null), [recent('x', null, null), recent('y', null, null)], policy)).toBe(true);
  });

  it('never starves: when every candidate breaks the rule the first is served anyway', () => {
    const pick = pickFace([face('a', 'i1', 0.9), face('b', 'i1', 0.8)], [recent('i1')], 'UNCERTAINTY');
    expect(pick).toMatchObject({ face: { id: 'a' }, diversityRelaxed: true });
    expect(pickFace([], [], 'UNCERTAINTY')).toBeNull();
  });

  it('over a simulated session, never serves the same image within 3 faces nor 3 of one cell in a row (when avoidable)', () => {
    const rng = seededRng(7);
    let pool = Array.from({ length: 400 }, (_, i) => face(`f${i}`, `img${Math.floor(i / 4)}`, rng(), rng() < 0.5 ? 'MALE' : 'FEMALE', Math.floor(rng() * 3)));
    const served: QueueCandidate[] = [];
    while (pool.length > 40) {
      const ordered = [...pool].sort((a, b) => b.uncertainty - a.uncertainty).slice(0, policy.window);
      const history = served.slice(-3).reverse();
      const pick = pickFace(ordered, history, 'UNCERTAINTY')!;
      expect(pick.diversityRelaxed).toBe(false);
      served.push(pick.face);
      pool = pool.filter((f) => f.id !== pick.face.id);
    }
    for (let i = 1; i < served.length; i++) {
      for (let k = 1; k <= 3 && i - k >= 0; k++) expect(served[i].imageId).not.toBe(served[i - k].imageId);
      if (i >= 2) {
        const cells = [served[i], served[i - 1], served[i - 2]].map((f) => `${f.predGender}:${f.predAgeBin}`);
        expect(new Set(cells).size).toBeGreaterThan(1);
      }
    }
  });

  it('draws the random slice at the configured share (≈10% over many draws) and says so', () => {
    const rng = seededRng(42);
    const draws = 20_000;
    let random = 0;
    for (let i = 0; i < draws; i++) if (chooseMode(policy, rng) === 'RANDOM') random++;
    expect(random / draws).toBeGreaterThan(0.09);
    expect(random / draws).toBeLessThan(0.11);
    expect(pickFace([face('a', 'i1', 0.2, 'MALE', 1, 'age uncertain')], [], 'RANDOM')!.why).toBe('random sample (10%)');
    expect(chooseMode({ ...policy, randomShare: 0 }, () => 0)).toBe('UNCERTAINTY');
  });

  it('is reproducible with a seeded generator', () => {
    const a = seededRng(3);
    const b = seededRng(3);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it('reads settings from the environment, ignoring nonsense', () => {
    expect(policyFromEnv({ FACET_QUEUE_RANDOM_SHARE: '0.25', FACET_QUEUE_RECENT_IMAGES: '5' })).toMatchObject({ randomShare: 0.25, recentImages: 5, maxSameCell: 2 });
    expect(policyFromEnv({ FACET_QUEUE_RANDOM_SHARE: '7', FACET_QUEUE_MAX_SAME_CELL: 'x' })).toMatchObject({ randomShare: 0.1, maxSameCell: 2 });
  });
});
