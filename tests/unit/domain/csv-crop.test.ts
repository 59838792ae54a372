import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '@/lib/domain/csv';
import { squareCrop } from '@/lib/domain/crop-box';

describe('csv', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date('2020-01-02T03:04:05Z'))).toBe('2020-01-02T03:04:05.000Z');
    expect(csvRow(['a', 1, null])).toBe('a,1,\n');
  });
});

describe('squareCrop', () => {
  it('centres a square with margin on the box', () => {
    const c = squareCrop({ x: 100, y: 100, w: 50, h: 100 }, 1000, 1000, 0.25);
    expect(c.side).toBe(150);
    expect(c.extract).toEqual({ left: 50, top: 75, width: 150, height: 150 });
    expect(c.pad).toEqual({ left: 0, top: 0, right: 0, bottom: 0 });
  });

  it('pads where the square leaves the image', () => {
    const c = squareCrop({ x: 0, y: 0, w: 200, h: 200 }, 200, 200, 0.1);
    expect(c.side).toBe(240);
    expect(c.extract).toEqual({ left: 0, top: 0, width: 200, height: 200 });
    expect(c.pad).toEqual({ left: 20, top: 20, right: 20, bottom: 20 });
    expect(c.extract.width + c.pad.left + c.pad.right).toBe(c.side);
  });

  it('refuses a box outside the image', () => {
    expect(() => squareCrop({ x: 500, y: 500, w: 10, h: 10 }, 100, 100, 0)).toThrow(/outside/);
  });
});
