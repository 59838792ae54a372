/**
 * Where to look for faces, and how hard. The tiny detector finds faces of roughly 30+ pixels at its
 * input: a coarse pass (long side 320) sees faces down to ~1/10 of the photo's long side at a
 * quarter of the fine pass's cost, and is also the better scale for big faces (measured:
 * `npm run bench:prelabel -- --scans auto,coarse,fine`). So every photo gets the coarse pass, and the fine pass (608) runs only
 * when the coarse one suggests smaller faces may be there: it found none, or its smallest face is
 * near its limit. When both ran, the fine pass's boxes win (they frame faces as the heads were
 * trained; coarse boxes run ~8% large). A coarse box no fine box overlaps is kept, but if the fine
 * pass found faces elsewhere only from `COARSE_ALONE_MIN` up: in group photos the coarse pass's lone
 * low-score boxes sat between faces (bench:prelabel's 4 group photos: the rule removes 3 such boxes
 * and loses 1 of 32 faces).
 */
import { DEFAULT_DETECT, type Detection, type DetectOptions, type FaceDetector, effectiveInputSize, iou } from './detector';
import type { PixelImage, PixelSource } from './preprocess';

export type ScanMode = 'auto' | 'coarse' | 'fine' | 'both';

export type ScanOptions = DetectOptions & {
  /** auto: coarse, then fine when needed; coarse/fine: one pass; both: always two passes. */
  scan?: ScanMode;
  /** Long side of the coarse pass (multiple of 32). */
  coarseInputSize?: number;
  /** Look again at the fine size when the coarse pass's smallest face is under this many detector-input pixels. */
  lookCloserBelow?: number;
  /** Also return boxes scoring from here up to scoreThreshold (detector calibration); they never steer the scan. */
  candidateFloor?: number;
};

export const DEFAULT_SCAN = { scan: 'auto', coarseInputSize: 320, lookCloserBelow: 64 } as const satisfies ScanOptions;

export type ScanResult = { detections: Detection[]; passes: number[] };

export const COARSE_ALONE_MIN = 0.7;

/**
 * Faces in `source` pixels. `coarseImage`: `source` already resized for the coarse pass (saves the JS
 * resample); then a PixelSource `source` is read whole only if the fine pass runs.
 */
export async function scanFaces(
  detector: FaceDetector,
  source: PixelImage | PixelSource,
  options: ScanOptions = {},
  coarseImage?: { image: PixelImage; map: (d: Detection[]) => Detection[] },
): Promise<ScanResult> {
  const { scan, coarseInputSize, lookCloserBelow, candidateFloor, ...asked } = { ...DEFAULT_SCAN, ...options };
  const threshold = asked.scoreThreshold ?? DEFAULT_DETECT.scoreThreshold;
  const detect = { ...asked, scoreThreshold: Math.min(threshold, candidateFloor ?? threshold) };
  const fineSize = detect.inputSize ?? DEFAULT_DETECT.inputSize;
  const iouThreshold = detect.iouThreshold ?? DEFAULT_DETECT.iouThreshold;
  const image = { width: source.width, height: source.height };
  const whole = () => ('read' in source ? source.read() : source);
  const fine = async () => {
    const side = effectiveInputSize(image.width, image.height, fineSize);
    if (!('scaled' in source) || !source.scaled || side >= Math.max(image.width, image.height)) return detector.detect(whole(), { ...detect, inputSize: fineSize });
    // The browser's bitmap: a natively resized copy instead of reading the photo whole and resampling it in JS.
    const copy = await source.scaled(side);
    return mapDetections(await detector.detect(copy, { ...detect, inputSize: fineSize }), copy, image);
  };
  if (scan === 'fine') return { detections: await fine(), passes: [fineSize] };
  const coarse = coarseImage
    ? coarseImage.map(await detector.detect(coarseImage.image, { ...detect, inputSize: coarseInputSize }))
    : await detector.detect(whole(), { ...detect, inputSize: coarseInputSize });
  if (scan === 'coarse' || coarseInputSize >= fineSize) return { detections: coarse, passes: [coarseInputSize] };
  const faces = coarse.filter((d) => d.score >= threshold);
  if (scan === 'auto' && !needsCloserLook(faces, image, coarseInputSize, lookCloserBelow)) return { detections: coarse, passes: [coarseInputSize] };
  const fineDets = await fine();
  const bar = fineDets.length > 0 ? COARSE_ALONE_MIN : 0;
  const alone = coarse.filter((c) => c.score >= bar && fineDets.every((f) => iou(c.box, f.box) <= iouThreshold));
  const merged = [...fineDets, ...alone].sort((a, b) => b.score - a.score);
  return { detections: merged, passes: [coarseInputSize, fineSize] };
}

/** Boxes found on a resized copy → boxes on the image it was made from (x and y scaled separately: the copy's sides are rounded). */
export function mapDetections(dets: Detection[], from: { width: number; height: number }, to: { width: number; height: number }): Detection[] {
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  return dets.map((d) => ({ score: d.score, box: { x: d.box.x * sx, y: d.box.y * sy, width: d.box.width * sx, height: d.box.height * sy } }));
}

/** No face found, or the smallest one is close to what the coarse pass can still see. */
export function needsCloserLook(coarse: Detection[], image: { width: number; height: number }, coarseInputSize: number, lookCloserBelow: number): boolean {
  if (coarse.length === 0) return true;
  const toInput = coarseInputSize / Math.max(image.width, image.height);
  const smallest = Math.min(...coarse.map((d) => Math.min(d.box.width, d.box.height)));
  return smallest * toInput < lookCloserBelow;
}
