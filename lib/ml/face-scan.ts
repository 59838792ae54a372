/**
 * Where to look for faces, and how hard. The tiny detector finds faces of roughly 30+ pixels at its
 * input: a coarse pass (long side 320) sees faces down to ~1/10 of the photo's long side at a
 * quarter of the fine pass's cost, and is also the better scale for big faces (measured:
 * bench/detector-scan.ts). So every photo gets the coarse pass, and the fine pass (608) runs only
 * when the coarse one suggests smaller faces may be there: it found none, or its smallest face is
 * near its limit. Detections of both passes are merged by non-maximum suppression.
 */
import { DEFAULT_DETECT, type Detection, type DetectOptions, type FaceDetector, nonMaxSuppression } from './detector';
import type { PixelImage } from './preprocess';

export type ScanMode = 'auto' | 'coarse' | 'fine' | 'both';

export type ScanOptions = DetectOptions & {
  /** auto: coarse, then fine when needed; coarse/fine: one pass; both: always two passes. */
  scan?: ScanMode;
  /** Long side of the coarse pass (multiple of 32). */
  coarseInputSize?: number;
  /** Look again at the fine size when the coarse pass's smallest face is under this many detector-input pixels. */
  lookCloserBelow?: number;
};

export const DEFAULT_SCAN = { scan: 'auto', coarseInputSize: 320, lookCloserBelow: 64 } as const satisfies ScanOptions;

export type ScanResult = { detections: Detection[]; passes: number[] };

/** Faces in `image` pixels. `coarseImage`: `image` already resized for the coarse pass (saves the JS resample). */
export async function scanFaces(
  detector: FaceDetector,
  image: PixelImage,
  options: ScanOptions = {},
  coarseImage?: { image: PixelImage; map: (d: Detection[]) => Detection[] },
): Promise<ScanResult> {
  const { scan, coarseInputSize, lookCloserBelow, ...detect } = { ...DEFAULT_SCAN, ...options };
  const fineSize = detect.inputSize ?? DEFAULT_DETECT.inputSize;
  const iouThreshold = detect.iouThreshold ?? DEFAULT_DETECT.iouThreshold;
  const fine = () => detector.detect(image, { ...detect, inputSize: fineSize });
  if (scan === 'fine') return { detections: await fine(), passes: [fineSize] };
  const coarse = coarseImage
    ? coarseImage.map(await detector.detect(coarseImage.image, { ...detect, inputSize: coarseInputSize }))
    : await detector.detect(image, { ...detect, inputSize: coarseInputSize });
  if (scan === 'coarse' || coarseInputSize >= fineSize) return { detections: coarse, passes: [coarseInputSize] };
  if (scan === 'auto' && !needsCloserLook(coarse, image, coarseInputSize, lookCloserBelow)) return { detections: coarse, passes: [coarseInputSize] };
  const merged = nonMaxSuppression([...coarse, ...(await fine())], iouThreshold);
  return { detections: merged, passes: [coarseInputSize, fineSize] };
}

/** No face found, or the smallest one is close to what the coarse pass can still see. */
export function needsCloserLook(coarse: Detection[], image: { width: number; height: number }, coarseInputSize: number, lookCloserBelow: number): boolean {
  if (coarse.length === 0) return true;
  const toInput = coarseInputSize / Math.max(image.width, image.height);
  const smallest = Math.min(...coarse.map((d) => Math.min(d.box.width, d.box.height)));
  return smallest * toInput < lookCloserBelow;
}
