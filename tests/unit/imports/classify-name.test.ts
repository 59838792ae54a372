import { describe, expect, it } from 'vitest';
import { classifyUtkName, isClutter } from '@/lib/api/imports/classify-name';

/** The eight irregular names of the public UTKFace set (SOURCE.md). */
const QUIRKY: [name: string, labels: object, quirks: string[]][] = [
  ['39_1_20170116174525125.jpg.chip.jpg', { age: 39, gender: 'FEMALE', race: 'UNKNOWN' }, ['missing race (imported as race unknown)']],
  ['61_1_20170109142408075.jpg.chip.jpg', { age: 61, gender: 'FEMALE', race: 'UNKNOWN' }, ['missing race (imported as race unknown)']],
  ['61_1_20170109150557335.jpg.chip.jpg', { age: 61, gender: 'FEMALE', race: 'UNKNOWN' }, ['missing race (imported as race unknown)']],
  ['14_0_0_2017011022340900.jpg.chip.jpg', { age: 14, gender: 'MALE', race: 'WHITE' }, ['datetime has 16 digits']],
  ['24_0_1_20170116220224657 .jpg.chip.jpg', { age: 24, gender: 'MALE', race: 'BLACK' }, ['white space before extension']],
  ['28_1_2_201701161846515488.jpg.chip.jpg', { age: 28, gender: 'FEMALE', race: 'ASIAN' }, ['datetime has 18 digits']],
  ['38_0_1_201701162330572788.jpg.chip.jpg', { age: 38, gender: 'MALE', race: 'BLACK' }, ['datetime has 18 digits']],
  ['55_0_0_20170116232725357jpg.chip.jpg', { age: 55, gender: 'MALE', race: 'WHITE' }, ['no dot before jpg']],
];

describe('classifyUtkName', () => {
  it('labels a regular name, with the age bin, and no quirks', () => {
    expect(classifyUtkName('folder/26_0_1_20170113132700512.jpg.chip.jpg')).toEqual({
      kind: 'labeled',
      labels: { age: 26, ageBin: 12, gender: 'MALE', race: 'BLACK' },
      quirks: [],
    });
    expect(classifyUtkName('1_1_4_20161219153439021.jpg')).toMatchObject({ kind: 'labeled', labels: { age: 1, ageBin: 1, race: 'OTHER' } });
  });

  it.each(QUIRKY)('forgives %s and says what it forgave', (name, labels, quirks) => {
    const verdict = classifyUtkName(`a/b/${name}`);
    expect(verdict).toMatchObject({ kind: 'labeled', labels, quirks });
  });

  it.each([
    ['300_0_0_20170109150557335.jpg', 'age 300 out of range 0–120'],
    ['30_2_0_20170109150557335.jpg', 'gender 2 is not 0 or 1'],
    ['30_1_9_20170109150557335.jpg', 'race 9 is not 0–4'],
    ['-5_0_0_20170109150557335.jpg', 'age -5 is negative'],
    ['30_-1_0_20170109150557335.jpg.chip.jpg', 'gender -1 is not 0 or 1'],
    ['30_1_-2_20170109150557335.jpg', 'race -2 is not 0–4'],
  ])('rejects the out-of-range name %s', (name, reason) => {
    expect(classifyUtkName(name)).toEqual({ kind: 'rejected', reason });
  });

  it.each(['holiday photo.jpg', 'IMG_2041.JPG', 'scan.png', 'face-01_final.jpeg', 'README'])('treats %s as unlabeled', (name) => {
    const verdict = classifyUtkName(name);
    expect(verdict.kind).toBe('unlabeled');
    expect(verdict.kind === 'unlabeled' && verdict.reason).toMatch(/^not a UTKFace name/);
  });

  it('recognises operating-system clutter', () => {
    expect(isClutter('.DS_Store')).toBe(true);
    expect(isClutter('a/._39_1_20170116174525125.jpg')).toBe(true);
    expect(isClutter('__MACOSX/a/x.jpg')).toBe(true);
    expect(isClutter('a/Thumbs.db')).toBe(true);
    expect(isClutter('a/39_1_20170116174525125.jpg')).toBe(false);
  });
});
