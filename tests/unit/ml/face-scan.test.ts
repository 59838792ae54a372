/**
 * Two-pass face scanning (lib/ml/face-scan.ts) with the real tiny detector on fixture faces: a
 * portrait needs the coarse pass only; small faces or none send it to the fine pass; the passes'
 * boxes merge without duplicates.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { composite } from '../../../bench/make-ml-samples';
import type { FaceDetector } from '../../../lib/ml/detector';
import { loadDetectorNode } from '../../../lib/ml/detector.node';
import { needsCloserLook, scanFaces } from '../../../lib/ml/face-scan';
import { decodeImage } from '../../../lib/ml/image.node';
import { type PixelImage, pixelSource } from '../../../lib/ml/preprocess';
import sharp from 'sharp';

const FACES = path.resolve(__dirname, '../../fixtures/faces');
const chips = readdirSync(FACES).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(FACES, f));
let detector: FaceDetector;

beforeAll(async () => {
  detector = await loadDetectorNode();
}, 120_000);

const photo = async (places: { x: number; y: number; size: number }[], faces = chips) =>
  decodeImage(await (await composite(faces, 640, 480, places)).jpeg().toBuffer());
const det = (x: number, size: number) => ({ score: 0.9, box: { x, y: 0, width: size, height: size } });

describe('needsCloserLook', () => {
  it('looks again when nothing was found or a face is near the coarse pass’s limit', () => {
    const image = { width: 1280, height: 720 }; // coarse pass: ×0.25
    expect(needsCloserLook([], image, 320, 64)).toBe(true);
    expect(needsCloserLook([det(0, 300)], image, 320, 64)).toBe(false); // 75 px at the coarse input
    expect(needsCloserLook([det(0, 300), det(400, 240)], image, 320, 64)).toBe(true); // 60 px
  });
});

describe('scanFaces', () => {
  it('a portrait: one coarse pass finds the face', async () => {
    // chips[5]: a face the coarse pass scores 0.97 (the tiny detector's scores swing with scale).
    const { detections, passes } = await scanFaces(detector, await photo([{ x: 220, y: 140, size: 200 }], [chips[5]]));
    expect(passes).toEqual([320]);
    expect(detections).toHaveLength(1);
  });

  it('small faces: the fine pass runs and finds what the coarse one cannot', async () => {
    const image = await photo(Array.from({ length: 6 }, (_, i) => ({ x: 120 + (i % 3) * 168, y: 120 + Math.floor(i / 3) * 168, size: 48 })));
    const coarse = await scanFaces(detector, image, { scan: 'coarse' });
    const auto = await scanFaces(detector, image);
    expect(auto.passes).toEqual([320, 608]);
    expect(auto.detections.length).toBeGreaterThanOrEqual(5);
    expect(auto.detections.length).toBeGreaterThan(coarse.detections.length);
  });

  it('no face: both passes run and find nothing', async () => {
    const { detections, passes } = await scanFaces(detector, await photo([]));
    expect(passes).toEqual([320, 608]);
    expect(detections).toEqual([]);
  });

  it('both passes on big faces merge into one box per face', async () => {
    const image = await photo([{ x: 40, y: 60, size: 220 }, { x: 360, y: 80, size: 220 }]);
    const both = await scanFaces(detector, image, { scan: 'both' });
    expect(both.passes).toEqual([320, 608]);
    expect(both.detections).toHaveLength(2);
  });

  it('fine: the single 608 px pass', async () => {
    const { passes } = await scanFaces(detector, await photo([{ x: 220, y: 140, size: 200 }]), { scan: 'fine' });
    expect(passes).toEqual([608]);
  });

  it('a source with a native resize: the fine pass runs on its copy, boxes mapped back to the image', async () => {
    const image = await photo(Array.from({ length: 6 }, (_, i) => ({ x: 120 + (i % 3) * 168, y: 120 + Math.floor(i / 3) * 168, size: 48 })));
    const sides: number[] = [];
    const scaled = async (side: number): Promise<PixelImage> => {
      sides.push(side);
      const { data, info } = await sharp(Buffer.from(image.data as Uint8Array), { raw: { width: image.width, height: image.height, channels: image.channels } })
        .resize(side, Math.round((side * image.height) / image.width), { fit: 'fill' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, channels: info.channels as 3 };
    };
    const js = await scanFaces(detector, image);
    const native = await scanFaces(detector, { ...pixelSource(image), scaled });
    expect(sides).toEqual([608]);
    expect(native.passes).toEqual([320, 608]);
    expect(native.detections).toHaveLength(js.detections.length);
    for (const d of native.detections) {
      const twin = js.detections.reduce((a, b) => (Math.abs(b.box.x - d.box.x) + Math.abs(b.box.y - d.box.y) < Math.abs(a.box.x - d.box.x) + Math.abs(a.box.y - d.box.y) ? b : a));
      // Another resampler moves 48 px boxes by ~3 px; a wrong mapping would move them by tens.
      expect(Math.abs(twin.box.x - d.box.x)).toBeLessThan(0.1 * d.box.width);
      expect(Math.abs(twin.box.y - d.box.y)).toBeLessThan(0.1 * d.box.width);
      expect(Math.abs(twin.box.width - d.box.width)).toBeLessThan(0.1 * d.box.width);
    }
  });
});
