/**
 * The pre-label flow's view of the browser models (the contract of lib/ml/prelabel-client) and of
 * the server's work list. Kept structural so the runner can be tested with a stand-in model.
 */
export type PrelabelFace = { box: { x: number; y: number; w: number; h: number }; detScore: number; pMale: number; ageProbs: number[]; age: number };
/**
 * What the worker may add: the detector threshold it applied (`scoreThreshold`; unreported means the
 * detector's default) and the boxes under it as `candidates`, down to `candidateFloor`.
 */
export type PrelabelResult = {
  width: number;
  height: number;
  faces: PrelabelFace[];
  ms: number;
  scoreThreshold?: number;
  candidates?: { box: PrelabelFace['box']; detScore: number }[];
  candidateFloor?: number;
};
/** `workers`: how many images the prelabeler analyses at once (absent: one). */
export type PrelabelerInfo = { backend: string; backendReason: string; model: string; detector: string; workers?: number };
/** Options a prelabel call passes to the worker (the dataset's detector threshold; see detector-record.ts). */
export type PrelabelCallOptions = { scoreThreshold?: number; candidateFloor?: number };
/** `prelabel` may ignore `options` (then it reports no `scoreThreshold`, and the runner applies a raised threshold itself). */
export type Prelabeler = { info: PrelabelerInfo; prelabel(image: Blob, options?: PrelabelCallOptions): Promise<PrelabelResult>; dispose(): void };

/** Which images a run works through: the ones just uploaded, or everything still pending. */
export type PrelabelScope = { kind: 'ids'; ids: string[] } | { kind: 'all'; datasetId?: string };

/** `scoreThreshold`: the image's dataset's detector threshold (null or absent: the detector's default). */
export type PendingImage = { id: string; sourceName: string; width: number; height: number; prelabelModel: string | null; scoreThreshold?: number | null };
export type PendingCounts = { total: number; pending: number; done: number };
export type PendingPage = { model: string; images: PendingImage[]; nextCursor: string | null; counts: PendingCounts };
export type SaveResult = { skipped: boolean; created: number; updated: number; replaced: number };
