import { describe, expect, it } from 'vitest';
import { AGE_BIN_COUNT, AGE_BIN_EDGES, ageBand, ageToBin, binLabel, expectedAge, isValidAge } from '@/lib/domain/age-bins';
import { DEFAULT_SPLIT_SEED, hash53, splitOf } from '@/lib/domain/split';
import { formatUtkName, parseUtkName, utkEncodable } from '@/lib/domain/utkface-name';

describe('age bins', () => {
  it('has 24 increasing bins covering 0..120', () => {
    expect(AGE_BIN_COUNT).toBe(24);
    for (let i = 1; i < AGE_BIN_EDGES.length; i++) expect(AGE_BIN_EDGES[i]).toBeGreaterThan(AGE_BIN_EDGES[i - 1]);
    expect(ageToBin(0)).toBe(0);
    expect(ageToBin(6)).toBe(5);
    expect(ageToBin(7)).toBe(6);
    expect(ageToBin(120)).toBe(23);
    expect(binLabel(0)).toBe('0');
    expect(binLabel(5)).toBe('5–6');
    expect(binLabel(23)).toBe('80+');
  });

  it('rejects impossible ages', () => {
    expect(isValidAge(-1)).toBe(false);
    expect(isValidAge(200)).toBe(false);
    expect(() => ageToBin(200)).toThrow(RangeError);
  });

  it('computes the expected age of a distribution', () => {
    const onehot = Array(24).fill(0);
    onehot[ageToBin(30)] = 1;
    expect(expectedAge(onehot)).toBeCloseTo(29.5, 5);
    expect(ageBand(2)).toBe('0–2');
    expect(ageBand(85)).toBe('70+');
  });
});

describe('split', () => {
  it('is deterministic and near 80/10/10', () => {
    expect(hash53('abc')).toBe(hash53('abc'));
    expect(splitOf('x.jpg')).toBe(splitOf('x.jpg', DEFAULT_SPLIT_SEED));
    const counts = { train: 0, val: 0, test: 0 };
    for (let i = 0; i < 20_000; i++) counts[splitOf(`img-${i}`)]++;
    expect(counts.train / 20_000).toBeCloseTo(0.8, 1);
    expect(counts.val / 20_000).toBeCloseTo(0.1, 1);
    expect(counts.test / 20_000).toBeCloseTo(0.1, 1);
  });

  it('changes with the seed', () => {
    const a = Array.from({ length: 200 }, (_, i) => splitOf(`k${i}`, 'one'));
    const b = Array.from({ length: 200 }, (_, i) => splitOf(`k${i}`, 'two'));
    expect(a).not.toEqual(b);
  });
});

describe('UTKFace names', () => {
  it('parses a regular name', () => {
    expect(parseUtkName('25_1_2_20170116174525125.jpg.chip.jpg')).toEqual({
      ok: true,
      value: { age: 25, gender: 'FEMALE', race: 'ASIAN', datetime: '20170116174525125', quirks: [] },
    });
    expect(parseUtkName('dir/sub/3_0_4_20170116174525125.jpg')).toMatchObject({ ok: true, value: { age: 3, race: 'OTHER' } });
  });

  it.each([
    ['39_1_20170116174525125.jpg.chip.jpg', { age: 39, gender: 'FEMALE', race: 'UNKNOWN' }, 'missing race'],
    ['61_1_20170109142408075.jpg.chip.jpg', { age: 61, race: 'UNKNOWN' }, 'missing race'],
    ['61_1_20170109150557335.jpg.chip.jpg', { age: 61, race: 'UNKNOWN' }, 'missing race'],
    ['14_0_0_2017011022340900.jpg.chip.jpg', { age: 14, gender: 'MALE', race: 'WHITE' }, 'datetime has 16 digits'],
    ['24_0_1_20170116220224657 .jpg.chip.jpg', { age: 24, race: 'BLACK' }, 'white space before extension'],
    ['28_1_2_201701161846515488.jpg.chip.jpg', { age: 28, race: 'ASIAN' }, 'datetime has 18 digits'],
    ['38_0_1_201701162330572788.jpg.chip.jpg', { age: 38, race: 'BLACK' }, 'datetime has 18 digits'],
    ['55_0_0_20170116232725357jpg.chip.jpg', { age: 55, race: 'WHITE' }, 'no dot before jpg'],
  ])('forgives the public set quirk of %s', (name, labels, quirk) => {
    const parsed = parseUtkName(name);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.value).toMatchObject(labels);
      expect(parsed.value.quirks).toContain(quirk);
    }
  });

  it.each([
    ['300_0_0_20170116174525125.jpg', /age 300/],
    ['-5_0_0_20170116174525125.jpg', /digits/],
    ['30_2_0_20170116174525125.jpg', /gender 2/],
    ['30_0_9_20170116174525125.jpg', /race 9/],
    ['holiday.jpg', /expected|digits/],
    ['30_0_0_1.txt', /jpg/],
  ])('rejects %s', (name, reason) => {
    const parsed = parseUtkName(name);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('formats names UTKFace can encode and refuses the rest', () => {
    const when = new Date(Date.UTC(2026, 10, 29, 1, 2, 3, 45));
    expect(formatUtkName(30, 'FEMALE', 'INDIAN', when)).toBe('30_1_3_20261129010203045.jpg');
    expect(parseUtkName(formatUtkName(7, 'MALE', 'WHITE', when))).toMatchObject({ ok: true, value: { age: 7, gender: 'MALE', race: 'WHITE', quirks: [] } });
    expect(utkEncodable('NONBINARY', 'WHITE')).toBe(false);
    expect(utkEncodable('MALE', 'UNKNOWN')).toBe(false);
    expect(() => formatUtkName(30, 'UNKNOWN', 'WHITE', when)).toThrow();
  });
});
