/**
 * The detect → calibrate → age/gender pipeline in Node on real fixture faces, and the bad inputs of
 * issue 3: no face, 20+ faces, small faces, a huge photo (boxes mapped back to original pixels),
 * grayscale and CMYK JPEGs, PNG with alpha.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { composite } from '../../../bench/make-ml-samples';
import { type FaceDetector, iou } from '../../../lib/ml/detector';
import { loadDetectorNode } from '../../../lib/ml/detector.node';
import { decodeImageSized } from '../../../lib/ml/image.node';
import { loadAgeGenderModelNode } from '../../../lib/ml/model.node';
import { type PipelineCandidate, runPipeline } from '../../../lib/ml/pipeline';
import type { AgeGenderModel } from '../../../lib/ml/predict';

const FACES = path.resolve(__dirname, '../../fixtures/faces');
const chips = readdirSync(FACES).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(FACES, f));
let detector: FaceDetector;
let model: AgeGenderModel;

beforeAll(async () => {
  detector = await loadDetectorNode();
  model = await loadAgeGenderModelNode(path.resolve(__dirname, '../../../public/models/agegender/r0'));
}, 120_000);

async function run(buf: Buffer, maxSide?: number) {
  const { image, original } = await decodeImageSized(buf, maxSide);
  return { image, original, faces: await runPipeline(detector, model, image, original) };
}

const grid = (n: number, cols: number, size: number, gap: number) =>
  Array.from({ length: n }, (_, i) => ({ x: gap + (i % cols) * (size + gap), y: gap + Math.floor(i / cols) * (size + gap), size }));

describe('pipeline (Node)', () => {
  it('one face: a box on the chip in original pixels, a plausible prediction', async () => {
    const { faces } = await run(await (await composite([chips[5]], 640, 480, [{ x: 220, y: 140, size: 200 }])).jpeg().toBuffer()); // 35 y, male
    expect(faces).toHaveLength(1);
    const [f] = faces;
    expect(iou({ x: f.box.x, y: f.box.y, width: f.box.width, height: f.box.height }, { x: 220, y: 140, width: 200, height: 200 })).toBeGreaterThan(0.7);
    expect(f.detScore).toBeGreaterThan(0.5);
    expect(f.ageProbs).toHaveLength(24);
    expect(f.ageProbs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 3);
    expect(f.pMale).toBeGreaterThan(0.5);
    expect(Math.abs(f.age - 35)).toBeLessThan(12);
  });

  it('no face: nothing', async () => {
    const flat = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#6b8e23' } }).jpeg().toBuffer();
    expect((await run(flat)).faces).toHaveLength(0);
  });

  it('24 faces of 80 px in a group photo', async () => {
    const buf = await (await composite(chips, 808, 552, grid(24, 6, 80, 48))).jpeg().toBuffer();
    const { faces } = await run(buf);
    expect(faces.length).toBeGreaterThanOrEqual(22);
    expect(faces.length).toBeLessThanOrEqual(24);
  });

  it('candidates: boxes between the floor and the threshold are reported, never made faces', async () => {
    const buf = await (await composite(chips, 808, 552, grid(24, 6, 80, 48))).jpeg().toBuffer();
    const { image, original } = await decodeImageSized(buf);
    const candidates: PipelineCandidate[] = [];
    const strict = await runPipeline(detector, model, image, original, { scoreThreshold: 0.9, candidateFloor: 0.3 }, undefined, undefined, candidates);
    const loose = await runPipeline(detector, model, image, original, { scoreThreshold: 0.3, scan: 'both' }, undefined, undefined);
    expect(strict.every((f) => f.detScore >= 0.9)).toBe(true);
    expect(candidates.length).toBeGreaterThan(0);
    expect(candidates.every((c) => c.detScore >= 0.3 && c.detScore < 0.9)).toBe(true);
    expect(strict.length + candidates.length).toBeLessThanOrEqual(loose.length);
  });

  it('small faces (48 px in a 640×480 photo)', async () => {
    const buf = await (await composite(chips, 640, 480, grid(6, 3, 48, 120))).jpeg().toBuffer();
    expect((await run(buf)).faces.length).toBeGreaterThanOrEqual(5);
  });

  it('a huge photo is decoded downscaled; boxes come back in original pixels', async () => {
    const chip = await sharp(chips[3]).resize(1400, 1400).toBuffer();
    const buf = await sharp({ create: { width: 7000, height: 4500, channels: 3, background: '#8a8f98' } })
      .composite([{ input: chip, left: 4000, top: 1800 }])
      .jpeg()
      .toBuffer();
    const { image, original, faces } = await run(buf, 2048);
    expect(Math.max(image.width, image.height)).toBe(2048);
    expect(original).toEqual({ width: 7000, height: 4500 });
    expect(faces).toHaveLength(1);
    // Found by the coarse pass, whose boxes run ~8% large (pipeline.ts): a looser fit than the fine pass's.
    expect(iou(faces[0].box, { x: 4000, y: 1800, width: 1400, height: 1400 })).toBeGreaterThan(0.6);
  });

  it('grayscale, CMYK JPEG and PNG with alpha decode to RGB and their faces are found', async () => {
    const photo = await (await composite([chips[8]], 480, 480, [{ x: 120, y: 120, size: 220 }])).png().toBuffer();
    const rgb = (await decodeImageSized(photo)).image;
    const gray = await sharp(photo).grayscale().jpeg().toBuffer();
    const cmyk = await sharp(photo).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const alpha = await sharp(photo).ensureAlpha(0.5).png().toBuffer();
    for (const [name, buf] of [['gray', gray], ['cmyk', cmyk], ['alpha', alpha]] as const) {
      const { image, faces } = await run(buf);
      expect(image.channels, name).toBe(3);
      expect(faces, name).toHaveLength(1);
      if (name === 'cmyk') {
        const mean = (img: typeof rgb, c: number) => {
          let s = 0;
          for (let i = c; i < img.data.length; i += 3) s += img.data[i];
          return s / (img.data.length / 3);
        };
        for (const c of [0, 1, 2]) expect(Math.abs(mean(image, c) - mean(rgb, c))).toBeLessThan(8);
      }
    }
  });
});
