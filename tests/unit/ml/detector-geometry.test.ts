import { describe, expect, it } from 'vitest';
import { chooseAutoBackend, isBackendChoice } from '../../../lib/ml/backend';
import { decodeGrid, detectorGeometry, iou, mapBoxToImage, nonMaxSuppression } from '../../../lib/ml/detector';
import { mapDetections } from '../../../lib/ml/face-scan';
import { calibrateBox, scaleBox } from '../../../lib/ml/pipeline';

describe('detector geometry', () => {
  it('scales the long side to the input size and rounds both sides up to the 32-pixel grid', () => {
    expect(detectorGeometry(4000, 3000, 416)).toEqual({ scale: 0.104, width: 416, height: 320 });
    expect(detectorGeometry(300, 1200, 416)).toMatchObject({ width: 128, height: 416 });
    expect(detectorGeometry(50, 50, 416)).toMatchObject({ scale: 8.32, width: 416, height: 416 });
    expect(() => detectorGeometry(10, 10, 400)).toThrow(/multiple of 32/);
  });

  it('maps boxes from a downscaled input back to original pixels, clipped to the image', () => {
    const scale = 0.104; // 4000×3000 → 416×312
    const m = mapBoxToImage({ x: 104, y: 52, width: 20.8, height: 31.2 }, scale, 4000, 3000);
    [m.x, m.y, m.width, m.height].forEach((v, i) => expect(v).toBeCloseTo([1000, 500, 200, 300][i], 6));
    const clipped = mapBoxToImage({ x: -10.4, y: 300, width: 41.6, height: 41.6 }, scale, 4000, 3000);
    expect(clipped.x).toBe(0);
    expect(clipped.width).toBeCloseTo(300);
    expect(clipped.y + clipped.height).toBe(3000);
  });

  it('maps detections on a resized copy with separate x/y factors', () => {
    const [d] = mapDetections([{ score: 0.9, box: { x: 10, y: 10, width: 20, height: 20 } }], { width: 416, height: 312 }, { width: 2048, height: 1536 });
    expect(d.box.x).toBeCloseTo((10 * 2048) / 416);
    expect(d.box.height).toBeCloseTo((20 * 1536) / 312);
    expect(scaleBox({ x: 1, y: 2, width: 3, height: 4 }, 2)).toEqual({ x: 2, y: 4, width: 6, height: 8 });
  });
});

describe('non-maximum suppression', () => {
  const box = (x: number, y: number, s = 10) => ({ x, y, width: s, height: s });
  it('keeps the best of overlapping boxes and all separate ones', () => {
    const kept = nonMaxSuppression(
      [
        { score: 0.6, box: box(1, 1) },
        { score: 0.9, box: box(0, 0) },
        { score: 0.8, box: box(50, 50) },
        { score: 0.7, box: box(6, 0) }, // IoU with the best = 40/160 = 0.25: kept at 0.4
      ],
      0.4,
    );
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.8, 0.7]);
    expect(iou(box(0, 0), box(0, 0))).toBe(1);
    expect(iou(box(0, 0), box(20, 20))).toBe(0);
  });
  it('handles 30 separate faces', () => {
    const dets = Array.from({ length: 30 }, (_, i) => ({ score: 0.5 + i / 100, box: box((i % 6) * 20, Math.floor(i / 6) * 20) }));
    expect(nonMaxSuppression(dets, 0.4)).toHaveLength(30);
  });
});

describe('grid decoding', () => {
  it('turns one confident cell into a box in input pixels (face-api’s formula)', () => {
    const cellsY = 2;
    const cellsX = 3;
    const out = new Float32Array(cellsY * cellsX * 5 * 5).fill(-10); // all scores ~0
    const o = ((1 * cellsX + 2) * 5 + 1) * 5; // row 1, col 2, anchor 1
    out.set([0, 0, 0, 0, 5], o);
    const [d, ...rest] = decodeGrid(out, cellsY, cellsX, 0.5);
    expect(rest).toHaveLength(0);
    expect(d.score).toBeCloseTo(1 / (1 + Math.exp(-5)));
    const cx = (2 + 0.5) * 32;
    const w = 6.041143 * 32;
    expect(d.box.x).toBeCloseTo(cx - w / 2);
    expect(d.box.width).toBeCloseTo(w);
    expect(d.box.y + d.box.height / 2).toBeCloseTo(1.5 * 32);
  });
});

describe('box calibration', () => {
  it('is a square around the shifted centre with side ∝ √(w·h)', () => {
    const b = calibrateBox({ x: 100, y: 100, width: 100, height: 64 }, { dx: 0.1, dy: -0.05, side: 1.25 });
    expect(b.width).toBe(b.height);
    expect(b.width).toBeCloseTo(100);
    expect(b.x + b.width / 2).toBeCloseTo(160);
    expect(b.y + b.height / 2).toBeCloseTo(128.8);
  });
});

describe('backend choice', () => {
  const probes = [
    { backend: 'wasm' as const, ms: 6 },
    { backend: 'webgl' as const, ms: 90 },
  ];
  it('takes WebGPU only on a hardware adapter', () => {
    expect(chooseAutoBackend({ available: true, isFallbackAdapter: false, vendor: 'nvidia' }, []).backend).toBe('webgpu');
    const sw = chooseAutoBackend({ available: true, isFallbackAdapter: true }, probes);
    expect(sw.backend).toBe('wasm');
    expect(sw.reason).toMatch(/software fallback/);
    expect(chooseAutoBackend({ available: true, isFallbackAdapter: null }, probes).backend).toBe('wasm');
  });
  it('picks the fastest probe, skipping failures, and cpu when all fail', () => {
    expect(chooseAutoBackend({ available: false, isFallbackAdapter: null }, [{ backend: 'wasm', ms: 40 }, { backend: 'webgl', ms: 12 }]).backend).toBe('webgl');
    expect(chooseAutoBackend({ available: false, isFallbackAdapter: null }, [{ backend: 'wasm', ms: null, error: 'x' }, { backend: 'webgl', ms: 80 }]).backend).toBe('webgl');
    const none = chooseAutoBackend({ available: false, isFallbackAdapter: null }, [{ backend: 'wasm', ms: null }, { backend: 'webgl', ms: null }]);
    expect(none.backend).toBe('cpu');
    expect(none.reason).toMatch(/probes failed/);
  });
  it('validates choices', () => {
    expect(isBackendChoice('webgl')).toBe(true);
    expect(isBackendChoice('cuda')).toBe(false);
    expect(isBackendChoice(null)).toBe(false);
  });
});
