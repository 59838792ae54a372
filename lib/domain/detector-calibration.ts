/**
 * Detector calibration: how well the face detector's boxes agree with the boxes people finished, and
 * which score threshold would agree best. Pure; the server builds the images (lib/api/models/detector-calibration).
 *
 * Matching is the usual detection evaluation (PASCAL VOC style): detections kept at a threshold are
 * taken best score first; each takes the unmatched human box it overlaps most, if IoU ≥ 0.5 (a true
 * positive), else it is a false positive; human boxes left over are misses. Boxes people skipped
 * ("can't be labeled") are *ignored* regions: a detection on one is neither right nor wrong.
 */
import { type Box, iou } from './box';

export const MATCH_IOU = 0.5;
/** The thresholds the sweep tries (0.05 steps); only those at or above every image's floor are evaluable. */
export const SWEEP_THRESHOLDS = Array.from({ length: 19 }, (_, i) => Math.round((0.05 + i * 0.05) * 100) / 100);
/** No recommendation from fewer finished images or human boxes than this. */
export const MIN_IMAGES = 20;
export const MIN_FACES = 20;
/** A threshold must beat the one in use by more than this F1 to be recommended. */
export const MIN_F1_GAIN = 0.005;

/** `score: null`: a detection whose score was not recorded (counts as kept at every threshold). */
export type ScoredBox = Box & { score: number | null };

export type CalibrationImage = {
  detections: ScoredBox[];
  /** Final human boxes (labeled, reviewed, imported, drawn). */
  truth: Box[];
  /** Skipped faces: detections on them are not counted. */
  ignore: Box[];
  /** Detections were recorded down to this score: thresholds under it cannot be evaluated on this image. */
  floor: number;
};

export type Counts = { tp: number; fp: number; fn: number; ignored: number };
export type Scores = Counts & { precision: number | null; recall: number | null; f1: number | null };
export type SweepRow = Scores & { threshold: number };

const kept = (d: ScoredBox, threshold: number) => d.score === null || d.score >= threshold;

/** One image at one threshold. */
export function matchImage(image: CalibrationImage, threshold: number, minIou = MATCH_IOU): Counts {
  const dets = image.detections.filter((d) => kept(d, threshold)).sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  const used = new Array<boolean>(image.truth.length).fill(false);
  const counts: Counts = { tp: 0, fp: 0, fn: 0, ignored: 0 };
  for (const d of dets) {
    let best = -1;
    let bestIou = minIou;
    image.truth.forEach((t, i) => {
      const o = iou(d, t);
      if (!used[i] && o >= bestIou) [best, bestIou] = [i, o];
    });
    if (best >= 0) {
      used[best] = true;
      counts.tp++;
    } else if (image.ignore.some((g) => iou(d, g) >= minIou)) counts.ignored++;
    else counts.fp++;
  }
  counts.fn = used.filter((u) => !u).length;
  return counts;
}

export function scores(c: Counts): Scores {
  return {
    ...c,
    precision: c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : null,
    recall: c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : null,
    f1: 2 * c.tp + c.fp + c.fn > 0 ? (2 * c.tp) / (2 * c.tp + c.fp + c.fn) : null,
  };
}

/** All images at one threshold. */
export function evaluateAt(images: CalibrationImage[], threshold: number): SweepRow {
  const total: Counts = { tp: 0, fp: 0, fn: 0, ignored: 0 };
  for (const image of images) {
    const c = matchImage(image, threshold);
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
    total.ignored += c.ignored;
  }
  return { threshold, ...scores(total) };
}

export type Calibration = {
  images: number;
  humanBoxes: number;
  detections: number;
  /** Detections whose score was not recorded (images pre-labeled before scores were kept). */
  unscored: number;
  /** The threshold in use and the figures at it, on every image. */
  current: SweepRow;
  /** The images the sweep and the recommendation use (see `calibrate`). */
  sweepImages: number;
  /** Lowest threshold the sweep's images can be evaluated at (detections under it were never recorded). */
  evaluableFrom: number;
  /** Includes the threshold in use, on the sweep's images. */
  sweep: SweepRow[];
  /** null with `why` when there is not enough data. */
  recommended: (SweepRow & { change: boolean }) | null;
  why: string | null;
};

const boxes = (images: CalibrationImage[]) => images.reduce((n, i) => n + i.truth.length, 0);

/**
 * Figures at the threshold in use, the sweep over the evaluable thresholds and the recommendation:
 * the threshold with the best F1 (ties: the one nearest the threshold in use), offered as a change
 * only when it beats the threshold in use by more than MIN_F1_GAIN.
 *
 * A threshold under an image's floor cannot be evaluated on it. When enough images share the lowest
 * floor (e.g. pre-labeled with candidates down to 0.3), the sweep uses just those, over the full
 * range; otherwise all images, from the highest floor up (raising the threshold only).
 */
export function calibrate(images: CalibrationImage[], inUse: number, min = { images: MIN_IMAGES, faces: MIN_FACES }): Calibration {
  const lowest = images.reduce((m, i) => Math.min(m, i.floor), 1);
  const low = images.filter((i) => i.floor <= lowest + 1e-9);
  const enough = (set: CalibrationImage[]) => set.length >= min.images && boxes(set) >= min.faces;
  const set = low.length < images.length && enough(low) ? low : images;
  const evaluableFrom = set.reduce((m, i) => Math.max(m, i.floor), 0);
  const grid = [...new Set([...SWEEP_THRESHOLDS.filter((t) => t >= evaluableFrom - 1e-9), inUse])].sort((a, b) => a - b);
  const sweep = grid.map((t) => evaluateAt(set, t));
  const atInUse = sweep.find((r) => r.threshold === inUse)!;
  const humanBoxes = boxes(images);
  const base = {
    images: images.length,
    humanBoxes,
    detections: images.reduce((n, i) => n + i.detections.filter((d) => kept(d, inUse)).length, 0),
    unscored: images.reduce((n, i) => n + i.detections.filter((d) => d.score === null).length, 0),
    current: set === images ? atInUse : evaluateAt(images, inUse),
    sweepImages: set.length,
    evaluableFrom,
    sweep,
  };
  if (!enough(images)) {
    const why = `Not enough corrected images yet: ${images.length} finished image${images.length === 1 ? '' : 's'} with ${humanBoxes} human box${humanBoxes === 1 ? '' : 'es'}; a recommendation needs at least ${min.images} images and ${min.faces} boxes.`;
    return { ...base, recommended: null, why };
  }
  const f1 = (r: SweepRow) => r.f1 ?? -1;
  const best = sweep.reduce((a, b) => (f1(b) > f1(a) + 1e-12 || (Math.abs(f1(b) - f1(a)) <= 1e-12 && Math.abs(b.threshold - inUse) < Math.abs(a.threshold - inUse)) ? b : a));
  const change = best.threshold !== inUse && f1(best) > f1(atInUse) + MIN_F1_GAIN;
  return { ...base, recommended: { ...(change ? best : atInUse), change }, why: null };
}
