/**
 * What a pre-label save tells the server about the detector (for detector calibration on the Models
 * page): the threshold the image's faces were kept at — the dataset's own, from the pending list, else
 * the detector's default — and the boxes under it down to the lowest score the worker reported.
 */
import { DEFAULT_DETECT } from '@/lib/ml/detector';
import type { PrelabelFace, PrelabelResult } from './types';

/** Below-threshold boxes are asked for down to this score (kept as candidates, never made faces). */
export const CANDIDATE_FLOOR = 0.3;

export type Candidate = { box: PrelabelFace['box']; detScore: number };
/**
 * What a worker may add to its result: the threshold it applied (`scoreThreshold`), and the boxes under
 * it as `candidates`, reported down to `candidateFloor`.
 */
export type ResultWithCandidates = PrelabelResult & { scoreThreshold?: number; candidates?: Candidate[]; candidateFloor?: number };
export type DetectorRecord = { faces: PrelabelFace[]; candidates: Candidate[]; detector: { scoreThreshold: number; floor: number } };

/** The options a prelabel call asks the worker for. */
export function detectorOptions(datasetThreshold: number | null | undefined) {
  return { scoreThreshold: datasetThreshold ?? DEFAULT_DETECT.scoreThreshold, candidateFloor: CANDIDATE_FLOOR };
}

/**
 * Splits a result at the threshold. The worker's threshold is the one it reports, else
 * `assumedWorkerThreshold`: the one asked for when prelabel() takes options, else the detector's
 * default — then nothing under the default was seen, and a dataset threshold under the default
 * cannot be honoured (the record says so).
 */
export function detectorRecord(result: ResultWithCandidates, wanted: number, assumedWorkerThreshold: number): DetectorRecord {
  const workerThreshold = result.scoreThreshold ?? assumedWorkerThreshold;
  const scoreThreshold = Math.max(wanted, workerThreshold);
  const floor = Math.min(scoreThreshold, result.candidateFloor ?? workerThreshold, workerThreshold);
  const below: Candidate[] = [...result.faces.filter((f) => f.detScore < scoreThreshold), ...(result.candidates ?? [])].map((c) => ({ box: c.box, detScore: c.detScore }));
  return {
    faces: result.faces.filter((f) => f.detScore >= scoreThreshold),
    candidates: below.filter((c) => c.detScore >= floor && c.detScore < scoreThreshold),
    detector: { scoreThreshold, floor },
  };
}
