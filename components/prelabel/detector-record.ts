/**
 * What a pre-label save tells the server about the detector (for detector calibration on the Models
 * page): the threshold the image's faces were kept at — the dataset's own, from the pending list, else
 * the detector's default — and the boxes under it down to the lowest score the worker reported.
 */
import { DEFAULT_DETECT } from '@/lib/ml/detector';
import type { PrelabelFace, PrelabelResult } from './types';

/** Below-threshold boxes are asked for down to this score (kept as candidates, never made faces). */
export const CANDIDATE_FLOOR = 0.3;

export type Candidate = NonNullable<PrelabelResult['candidates']>[number];
export type DetectorRecord = { faces: PrelabelFace[]; candidates: Candidate[]; detector: { scoreThreshold: number; floor: number } };

/** The options a prelabel call asks the worker for. */
export function detectorOptions(datasetThreshold: number | null | undefined) {
  return { scoreThreshold: datasetThreshold ?? DEFAULT_DETECT.scoreThreshold, candidateFloor: CANDIDATE_FLOOR };
}

/**
 * Splits a result at the threshold. The worker's threshold is the one it reports, else the
 * detector's default (a worker that ignored the options): then nothing under the default was seen,
 * a higher dataset threshold is applied here, and a lower one cannot be honoured (the record says so).
 */
export function detectorRecord(result: PrelabelResult, wanted: number): DetectorRecord {
  const workerThreshold = result.scoreThreshold ?? DEFAULT_DETECT.scoreThreshold;
  const scoreThreshold = Math.max(wanted, workerThreshold);
  const floor = Math.min(scoreThreshold, result.candidateFloor ?? workerThreshold, workerThreshold);
  const below: Candidate[] = [...result.faces.filter((f) => f.detScore < scoreThreshold), ...(result.candidates ?? [])].map((c) => ({ box: c.box, detScore: c.detScore }));
  return {
    faces: result.faces.filter((f) => f.detScore >= scoreThreshold),
    candidates: below.filter((c) => c.detScore >= floor && c.detScore < scoreThreshold),
    detector: { scoreThreshold, floor },
  };
}
