/**
 * Detect → calibrate boxes to the training framing → age/gender, for one decoded image. Shared by
 * the browser worker and Node (tests, bench, calibration). Boxes are returned in ORIGINAL image
 * pixels even when the caller decoded a downscaled working copy (huge photos).
 */
import { DEFAULT_DETECT, type Detection, type FaceDetector } from './detector';
import { type ScanOptions, mapDetections, scanFaces } from './face-scan';
import { type AgeGenderModel, type MirrorMode, predictFacesAsync } from './predict';
import { type FaceBox, type PixelImage, type PixelSource, faceRegion } from './preprocess';

/**
 * Detector box → the UTKFace aligned-chip framing the heads were trained on (a square; crop margin 0).
 * Measured by bench/detector-calibration.ts (tiny detector, input 608, chips in 600² grey photos):
 * fitted on 220 val chips, chip centre = box centre + (0.012·w, −0.030·h), side = 1.003·√(w·h) — the
 * tiny detector already frames faces like UTKFace (unlike SSD, whose boxes sit ~12 px higher). On 217
 * test chips: ground-truth chip MAE 4.14 / gender 95.4%, detector square 4.14 / 95.4%, with the fit
 * 4.22 / 95.9% (noise at this n). So the calibration in use is the identity; the hook stays for
 * detectors that need one. The coarse pass (320, face-scan.ts) draws boxes ~8% larger and taller
 * (fit: side 0.93, dy −0.04): on 265 test chips it finds, ground truth 4.30 / 97.0%, its raw boxes
 * 4.33 / 94.7%, fitted 4.38 / 95.1% — no clear gain from a per-pass fit, so none is applied.
 */
export const BOX_CALIBRATION = { dx: 0, dy: 0, side: 1 } as const;

export type Calibration = { dx: number; dy: number; side: number };

/** centre += (dx·w, dy·h); side = side · √(w·h): a square in the chip framing. */
export function calibrateBox(box: FaceBox, cal: Calibration = BOX_CALIBRATION): FaceBox {
  const cx = box.x + box.width / 2 + cal.dx * box.width;
  const cy = box.y + box.height / 2 + cal.dy * box.height;
  const side = cal.side * Math.sqrt(box.width * box.height);
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/** Scale a box from working-copy pixels to original pixels. */
export function scaleBox(box: FaceBox, factor: number): FaceBox {
  return { x: box.x * factor, y: box.y * factor, width: box.width * factor, height: box.height * factor };
}

export type PipelineFace = {
  /** Calibrated (training-framing) box in original pixels: what is stored and what the heads see. */
  box: FaceBox;
  /** The detector's own box, original pixels. */
  detectorBox: FaceBox;
  detScore: number;
  pMale: number;
  ageProbs: number[];
  age: number;
};

export type PipelineOptions = ScanOptions & {
  calibration?: Calibration;
  maxFacesPerBatch?: number;
  /** Which faces get the manifest's mirrored second pass (predict.ts MirrorMode); pre-labeling defaults to the uncertain ones. */
  mirror?: MirrorMode;
};

/** Where the time of one image went (ms), and the detector input sizes that ran. */
export type PipelineTimings = { detectMs: number; headsMs: number; passes: number[] };

/** A box under the score threshold (down to `candidateFloor`): reported for detector calibration, never a face. */
export type PipelineCandidate = { box: FaceBox; detScore: number };

/** Each face's box and the pixels of just its region (box shifted into them), as the backbones read them. */
function faceCrops(model: AgeGenderModel, source: PixelSource, boxes: FaceBox[]): { image: PixelImage; box: FaceBox }[] {
  const margin = model.manifest.preprocessing.cropMargin;
  const minSize = Math.min(...model.manifest.backbones.map((b) => b.input.size));
  return boxes.map((box) => {
    const r = faceRegion(box, margin, minSize, source);
    return { image: source.read(r), box: { ...box, x: box.x - r.x, y: box.y - r.y } };
  });
}

/**
 * `work` is the decoded image, possibly downscaled from `original` (same aspect ratio); as a
 * PixelSource (the browser's bitmap) only the faces' regions are read, plus the whole image if the
 * fine detector pass runs.
 * `coarseImage`, if given, is `work` already resized to the coarse detector pass's size by a native
 * resampler (the browser's createImageBitmap), which saves the JS downscale.
 */
export async function runPipeline(
  detector: FaceDetector,
  model: AgeGenderModel,
  work: PixelImage | PixelSource,
  original: { width: number; height: number },
  options: PipelineOptions = {},
  coarseImage?: PixelImage,
  timings?: PipelineTimings,
  candidates?: PipelineCandidate[],
): Promise<PipelineFace[]> {
  const t0 = performance.now();
  const coarse = coarseImage && { image: coarseImage, map: (d: Detection[]) => mapDetections(d, coarseImage, work) };
  const { detections: found, passes } = await scanFaces(detector, work, options, coarse);
  const t1 = performance.now();
  const toOriginal = original.width / work.width;
  const threshold = options.scoreThreshold ?? DEFAULT_DETECT.scoreThreshold;
  const dets = found.filter((d) => d.score >= threshold);
  for (const d of found) if (d.score < threshold) candidates?.push({ box: scaleBox(calibrateBox(d.box, options.calibration), toOriginal), detScore: d.score });
  const faces: PipelineFace[] = [];
  const batch = options.maxFacesPerBatch ?? 16;
  for (let i = 0; i < dets.length; i += batch) {
    const chunk = dets.slice(i, i + batch);
    const boxes = chunk.map((d) => calibrateBox(d.box, options.calibration));
    const crops = 'read' in work ? faceCrops(model, work, boxes) : boxes.map((box) => ({ image: work, box }));
    const preds = await predictFacesAsync(model, crops, options.mirror ?? 'uncertain');
    chunk.forEach((d, k) =>
      faces.push({
        box: scaleBox(boxes[k], toOriginal),
        detectorBox: scaleBox(d.box, toOriginal),
        detScore: d.score,
        pMale: 1 - preds[k].pFemale,
        ageProbs: preds[k].ageBins,
        age: preds[k].age,
      }),
    );
  }
  if (timings) Object.assign(timings, { detectMs: t1 - t0, headsMs: performance.now() - t1, passes });
  return faces;
}
