import { describe, expect, it } from 'vitest';
import { type CalibrationImage, calibrate, evaluateAt, matchImage } from '@/lib/domain/detector-calibration';

const box = (x: number, y = 0, s = 100) => ({ x, y, w: s, h: s });
const det = (x: number, score: number | null, y = 0) => ({ ...box(x, y), score });
const image = (p: Partial<CalibrationImage>): CalibrationImage => ({ detections: [], truth: [], ignore: [], floor: 0.3, ...p });

describe('detector matching at IoU 0.5', () => {
  it('counts hits, false positives and misses, greedy by score', () => {
    // Two detections overlap one face: the better one takes it, the other is a false positive.
    const img = image({ detections: [det(0, 0.6), det(10, 0.9), det(500, 0.7)], truth: [box(5), box(1000)] });
    expect(matchImage(img, 0.5)).toEqual({ tp: 1, fp: 2, fn: 1, ignored: 0 });
    // Raising the threshold past 0.6 and 0.7 drops both false positives.
    expect(matchImage(img, 0.8)).toEqual({ tp: 1, fp: 0, fn: 1, ignored: 0 });
  });

  it('a box moved too far is a false positive and a miss; a small move is still a hit', () => {
    expect(matchImage(image({ detections: [det(0, 0.9)], truth: [box(20)] }), 0.5)).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    expect(matchImage(image({ detections: [det(0, 0.9)], truth: [box(60)] }), 0.5)).toMatchObject({ tp: 0, fp: 1, fn: 1 });
  });

  it('takes the most-overlapping free human box and ignores detections on skipped faces', () => {
    const img = image({ detections: [det(0, 0.9), det(300, 0.8)], truth: [box(30), box(5)], ignore: [box(310)] });
    expect(matchImage(img, 0.5)).toEqual({ tp: 1, fp: 0, fn: 1, ignored: 1 });
  });

  it('keeps detections without a recorded score at every threshold', () => {
    expect(matchImage(image({ detections: [det(500, null)], truth: [] }), 0.95)).toMatchObject({ fp: 1 });
  });

  it('sums images into precision, recall and F1', () => {
    const r = evaluateAt([image({ detections: [det(0, 0.9), det(500, 0.6)], truth: [box(0), box(900)] })], 0.5);
    expect(r).toMatchObject({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(evaluateAt([image({})], 0.5)).toMatchObject({ precision: null, recall: null, f1: null });
  });
});

describe('threshold sweep and recommendation', () => {
  // Each image: one real face found at 0.9, one false positive at 0.55.
  const noisy = () => image({ detections: [det(0, 0.9), det(500, 0.55)], truth: [box(0)] });

  it('says there is not enough data below the minimum', () => {
    const c = calibrate([noisy(), noisy()], 0.5);
    expect(c.recommended).toBeNull();
    expect(c.why).toMatch(/Not enough corrected images yet: 2 finished images with 2 human boxes/);
    expect(c.current).toMatchObject({ threshold: 0.5, tp: 2, fp: 2, fn: 0 });
  });

  it('recommends the best-F1 threshold, nearest the one in use on ties', () => {
    const c = calibrate(Array.from({ length: 20 }, noisy), 0.5);
    expect(c.current.f1).toBeCloseTo(2 / 3);
    // 0.6 … 0.9 all give F1 = 1: the nearest to 0.5 wins.
    expect(c.recommended).toMatchObject({ threshold: 0.6, f1: 1, precision: 1, recall: 1, change: true });
    expect(c.sweep.map((r) => r.threshold)).toEqual([0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
    expect(c.evaluableFrom).toBe(0.3);
    expect(c).toMatchObject({ images: 20, humanBoxes: 20, detections: 40, unscored: 0 });
  });

  it('can recommend lowering the threshold when low-score candidates are real faces', () => {
    const missed = () => image({ detections: [det(0, 0.9), det(500, 0.4)], truth: [box(0), box(500)] });
    const c = calibrate(Array.from({ length: 20 }, missed), 0.5);
    expect(c.current).toMatchObject({ recall: 0.5 });
    expect(c.recommended).toMatchObject({ threshold: 0.4, f1: 1, change: true });
  });

  it('sweeps the full range on the images with the lowest floor when there are enough of them', () => {
    const missed = (floor: number) => image({ detections: floor < 0.4 ? [det(0, 0.9), det(500, 0.35)] : [det(0, 0.9)], truth: [box(0), box(500)], floor });
    const mixed = [...Array.from({ length: 20 }, () => missed(0.3)), ...Array.from({ length: 5 }, () => missed(0.5))];
    const c = calibrate(mixed, 0.5);
    expect(c).toMatchObject({ images: 25, sweepImages: 20, evaluableFrom: 0.3 });
    expect(c.current).toMatchObject({ tp: 25, fn: 25 });
    expect(c.recommended).toMatchObject({ threshold: 0.35, recall: 1, change: true });
    // Too few low-floor images: all images, raising only.
    const few = calibrate([...mixed.slice(15)], 0.5, { images: 10, faces: 10 });
    expect(few).toMatchObject({ sweepImages: 10, evaluableFrom: 0.5 });
  });

  it('never sweeps under the highest floor and keeps the threshold in use when nothing is clearly better', () => {
    const clean = () => image({ detections: [det(0, 0.9)], truth: [box(0)], floor: 0.5 });
    const c = calibrate(Array.from({ length: 25 }, clean), 0.5);
    expect(c.evaluableFrom).toBe(0.5);
    expect(Math.min(...c.sweep.map((r) => r.threshold))).toBe(0.5);
    expect(c.recommended).toMatchObject({ threshold: 0.5, change: false });
  });
});
