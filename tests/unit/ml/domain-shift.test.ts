/**
 * Domain-shift proof on real UTKFace faces (bench/al/domain-shift.ts; the printed version is
 * `npm run bench:domain-shift`): a round that adds labels of a group round 0 under-represented
 * (ages 60+) lowers that group's held-out error. Needs ../shared/data/utkface (skipped without it);
 * with .cache/features it runs in well under a minute, and a clean checkout first extracts the
 * ~1,460 faces' features it needs (one backbone, plain crops).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHIFT, runDomainShift, shiftSubsets } from '../../../bench/al/domain-shift';
import { defaultUtkFaceDir, loadUtkFace } from '../../../workers/trainer/utkface';

const UTK = defaultUtkFaceDir();
const present = existsSync(UTK);

describe.skipIf(!present)(`domain shift on UTKFace (skipped: needs ${UTK})`, () => {
  it('chooses disjoint, deterministic subsets with the group under-represented in round 0', () => {
    const records = loadUtkFace();
    const a = shiftSubsets(records);
    const b = shiftSubsets(records);
    expect(a.base.map((r) => r.key)).toEqual(b.base.map((r) => r.key));
    const all = [...a.base, ...a.shifted, ...a.heldGroup, ...a.heldOthers].map((r) => r.key);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeLessThanOrEqual(1500);
    expect(a.base.filter(DEFAULT_SHIFT.inGroup).length / a.base.length).toBeLessThan(0.02);
    expect(a.shifted.every(DEFAULT_SHIFT.inGroup) && a.heldGroup.every(DEFAULT_SHIFT.inGroup)).toBe(true);
    expect([...a.base, ...a.shifted].every((r) => r.split === 'train')).toBe(true);
    expect([...a.heldGroup, ...a.heldOthers].every((r) => r.split === 'test')).toBe(true);
  });

  it("a round with labels of the under-represented group lowers that group's held-out error", async () => {
    const r = await runDomainShift(loadUtkFace());
    const { before, after } = r;
    console.log(
      `ages 60+ held-out MAE ${before.group.ageMae.toFixed(2)} → ${after.group.ageMae.toFixed(2)}; ` +
        `others ${before.others.ageMae.toFixed(2)} → ${after.others.ageMae.toFixed(2)} (extract ${(r.extractMs / 1000).toFixed(0)} s, train ${(r.trainMs / 1000).toFixed(0)} s)`,
    );
    expect(after.group.ageMae).toBeLessThan(0.75 * before.group.ageMae);
    // Not bought by breaking everyone else.
    expect(after.others.ageMae).toBeLessThan(before.others.ageMae + 1.5); // measured +0.5–0.7 y: the round shifts the age prior
  }, 900_000);
});
