import { describe, expect, it } from 'vitest';
import { boxFromCorners, clampBox, iou, isUsableBox } from '@/lib/domain/box';

describe('boxes', () => {
  it('clamps a box dragged past the edges', () => {
    expect(clampBox({ x: -10, y: 5, w: 50, h: 20 }, 100, 100)).toEqual({ x: 0, y: 5, w: 40, h: 20 });
    expect(clampBox({ x: 90, y: 90, w: 50, h: 50 }, 100, 100)).toEqual({ x: 90, y: 90, w: 10, h: 10 });
    expect(clampBox({ x: 200, y: 200, w: 5, h: 5 }, 100, 100)).toEqual({ x: 100, y: 100, w: 0, h: 0 });
  });

  it('rejects zero-size boxes', () => {
    expect(isUsableBox({ x: 0, y: 0, w: 0, h: 10 })).toBe(false);
    expect(isUsableBox({ x: 0, y: 0, w: 2, h: 2 })).toBe(true);
  });

  it('builds boxes from corners and measures overlap', () => {
    expect(boxFromCorners(10, 20, 0, 0)).toEqual({ x: 0, y: 0, w: 10, h: 20 });
    expect(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 0, y: 0, w: 10, h: 10 })).toBe(1);
    expect(iou({ x: 0, y: 0, w: 10, h: 10 }, { x: 5, y: 0, w: 10, h: 10 })).toBeCloseTo(1 / 3);
    expect(iou({ x: 0, y: 0, w: 1, h: 1 }, { x: 5, y: 5, w: 1, h: 1 })).toBe(0);
  });
});
