/** Reading only a face's region (pipeline.ts with a PixelSource) gives the same backbone inputs as the whole image. */
import { describe, expect, it } from 'vitest';
import { type FaceBox, type PreprocessSpec, faceRegion, pixelSource, preprocessFace } from '../../../lib/ml/preprocess';

const W = 317;
const H = 241;
const image = { data: Uint8ClampedArray.from({ length: W * H * 4 }, (_, i) => (i * 7919 + (i >> 9) * 31) % 256), width: W, height: H, channels: 4 as const };
const spec = (inputSize: number, cropMargin: number): PreprocessSpec => ({ inputSize, cropMargin, colorOrder: 'RGB', mean: [120, 110, 100], scale: 1 / 255, padValue: 0 });

const boxes: FaceBox[] = [
  { x: 100.3, y: 60.7, width: 90.2, height: 95.9 }, // inside
  { x: -20.5, y: -10.25, width: 80, height: 80 }, // past the top-left corner
  { x: 250.5, y: 190.5, width: 120, height: 100 }, // past the bottom-right corner
  { x: 5, y: 5, width: 300, height: 230 }, // nearly the whole image (downscale: wide filter support)
  { x: 150.9, y: 100.1, width: 20.3, height: 19.8 }, // small (upscale)
];

describe('faceRegion', () => {
  for (const [k, box] of boxes.entries()) {
    for (const [size, margin] of [[112, 0], [150, 0], [112, 0.2]] as const) {
      it(`box ${k}, input ${size}, margin ${margin}: the region's crop equals the whole image's`, () => {
        const r = faceRegion(box, margin, 112, image);
        expect(r.x).toBeGreaterThanOrEqual(0);
        expect(r.y).toBeGreaterThanOrEqual(0);
        expect(r.x + r.width).toBeLessThanOrEqual(W);
        expect(r.y + r.height).toBeLessThanOrEqual(H);
        const sub = pixelSource(image).read(r);
        const a = preprocessFace(image, box, spec(size, margin));
        const b = preprocessFace(sub, { ...box, x: box.x - r.x, y: box.y - r.y }, spec(size, margin));
        let max = 0;
        for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        expect(max).toBeLessThan(1e-5);
      });
    }
  }

  it('a small face reads a small region', () => {
    const r = faceRegion({ x: 150, y: 100, width: 40, height: 40 }, 0, 112, image);
    expect(r.width * r.height).toBeLessThan(50 * 50);
  });

  it('pixelSource reads the whole image as itself', () => {
    expect(pixelSource(image).read()).toBe(image);
  });
});
