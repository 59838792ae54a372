import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cropResize, normalizePixels, preprocessFace, preprocessToTensor, squareCrop, type PixelImage, type PreprocessSpec } from '../../../lib/ml/preprocess';

/** w×h RGB image whose pixel (x, y) = [f(x, y), f(x, y) + 1, f(x, y) + 2]. */
function image(w: number, h: number, f: (x: number, y: number) => number, channels: 3 | 4 = 3): PixelImage {
  const data = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * channels;
      data[p] = f(x, y);
      data[p + 1] = f(x, y) + 1;
      data[p + 2] = f(x, y) + 2;
      if (channels === 4) data[p + 3] = 255;
    }
  return { data, width: w, height: h, channels };
}

const at = (out: Float32Array, size: number, x: number, y: number, c = 0) => out[(y * size + x) * 3 + c];

describe('squareCrop', () => {
  it('centres a square of side max(w, h)·(1 + 2·margin) on the box', () => {
    expect(squareCrop({ x: 10, y: 20, width: 40, height: 20 }, 0.25)).toEqual({ x: 0, y: 0, side: 60 });
    expect(squareCrop({ x: 0, y: 0, width: 10, height: 10 }, 0)).toEqual({ x: 0, y: 0, side: 10 });
  });
});

describe('cropResize', () => {
  it('is the identity at scale 1', () => {
    const img = image(4, 4, (x, y) => 10 * x + 50 * y);
    const out = cropResize(img, { x: 0, y: 0, width: 4, height: 4 }, 4, 0);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 3; c++) expect(at(out, 4, x, y, c)).toBe(10 * x + 50 * y + c);
  });

  it('reads RGBA and RGB alike (alpha ignored)', () => {
    const f = (x: number, y: number) => 7 * x + 3 * y;
    const a = cropResize(image(6, 6, f, 3), { x: 1, y: 1, width: 4, height: 4 }, 3, 0.1);
    const b = cropResize(image(6, 6, f, 4), { x: 1, y: 1, width: 4, height: 4 }, 3, 0.1);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('shrinks a linear ramp to its value at each output centre (antialiased triangle filter)', () => {
    const img = image(8, 8, (x) => 10 * x);
    const out = cropResize(img, { x: 0, y: 0, width: 8, height: 8 }, 4, 0);
    // output column j covers source [2j, 2j+2): centre at pixel coordinate 2j + 0.5 → 20j + 5
    expect(at(out, 4, 1, 2)).toBeCloseTo(25, 5);
    expect(at(out, 4, 2, 0)).toBeCloseTo(45, 5);
    // at the border the filter is clipped to the image and renormalised (no dark fringe)
    const constant = cropResize(image(8, 8, () => 100), { x: 0, y: 0, width: 8, height: 8 }, 3, 0);
    expect(Array.from(constant).every((v, i) => Math.abs(v - (100 + (i % 3))) < 1e-4)).toBe(true);
  });

  it('pads samples outside the image with padValue (box past the border)', () => {
    const img = image(4, 4, () => 100);
    const out = cropResize(img, { x: -2, y: 0, width: 4, height: 4 }, 4, 0, { padValue: 7 });
    for (let y = 0; y < 4; y++) {
      expect(at(out, 4, 0, y)).toBe(7);
      expect(at(out, 4, 1, y)).toBe(7);
      expect(at(out, 4, 2, y)).toBe(100);
      expect(at(out, 4, 3, y)).toBe(100);
    }
    const all = cropResize(img, { x: 10, y: 10, width: 4, height: 4 }, 2, 0);
    expect(Array.from(all)).toEqual(new Array(12).fill(0));
  });

  it('adds the margin around the box', () => {
    const img = image(10, 10, (x) => 10 * x);
    // box 4×4 at (3,3), margin 0.25 → square side 6 from (2,2): columns 2..7 at scale 1
    const out = cropResize(img, { x: 3, y: 3, width: 4, height: 4 }, 6, 0.25);
    expect(at(out, 6, 0, 0)).toBe(20);
    expect(at(out, 6, 5, 5)).toBe(70);
  });

  it('upscales bilinearly', () => {
    const img = image(2, 1, (x) => 100 * x);
    const out = cropResize(img, { x: 0, y: -0.5, width: 2, height: 2 }, 4, 0);
    // row 1 (centre y = 0.25... inside the image): columns at x = 0.25, 0.75, 1.25, 1.75
    // → source coordinates −0.25, 0.25, 0.75, 1.25 → clipped taps: 0, 25, 75, 100
    expect([0, 1, 2, 3].map((x) => at(out, 4, x, 1))).toEqual([0, 25, 75, 100]);
  });

  it('mirrors with flip', () => {
    const img = image(5, 5, (x, y) => 13 * x + 29 * y);
    const box = { x: 0.5, y: 0.3, width: 4, height: 4 };
    const a = cropResize(img, box, 3, 0.1);
    const b = cropResize(img, box, 3, 0.1, { flip: true });
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) expect(at(b, 3, x, y)).toBe(at(a, 3, 2 - x, y));
  });

  it('rejects empty boxes and short buffers', () => {
    expect(() => cropResize(image(4, 4, () => 0), { x: 0, y: 0, width: 0, height: 0 }, 2, 0)).toThrow();
    expect(() => cropResize({ data: new Uint8Array(5), width: 4, height: 4, channels: 3 }, { x: 0, y: 0, width: 4, height: 4 }, 2, 0)).toThrow();
  });
});

describe('normalisation and tensors', () => {
  const spec: PreprocessSpec = { inputSize: 2, cropMargin: 0, colorOrder: 'RGB', mean: [10, 20, 30], scale: 0.5, padValue: 0 };
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('applies (value − mean) · scale and the channel order', () => {
    expect(Array.from(normalizePixels(Float32Array.from([20, 40, 60]), spec))).toEqual([5, 10, 15]);
    expect(Array.from(normalizePixels(Float32Array.from([20, 40, 60]), { ...spec, colorOrder: 'BGR' }))).toEqual([25, 10, -5]);
  });

  it('gives the same values as a tensor and as an array', () => {
    const img = image(6, 4, (x, y) => 20 * x + 10 * y);
    const box = { x: 1, y: 0, width: 4, height: 4 };
    const arr = preprocessFace(img, box, spec);
    const t = preprocessToTensor(img, box, spec);
    expect(t.shape).toEqual([1, 2, 2, 3]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync())).toEqual(Array.from(arr));
    t.dispose();
  });
});
