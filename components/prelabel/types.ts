/**
 * The pre-label flow's view of the browser models (the contract of lib/ml/prelabel-client) and of
 * the server's work list. Kept structural so the runner can be tested with a stand-in model.
 */
export type PrelabelFace = { box: { x: number; y: number; w: number; h: number }; detScore: number; pMale: number; ageProbs: number[]; age: number };
export type PrelabelResult = { width: number; height: number; faces: PrelabelFace[]; ms: number };
export type PrelabelerInfo = { backend: string; backendReason: string; model: string; detector: string };
export type Prelabeler = { info: PrelabelerInfo; prelabel(image: Blob): Promise<PrelabelResult>; dispose(): void };

/** Which images a run works through: the ones just uploaded, or everything still pending. */
export type PrelabelScope = { kind: 'ids'; ids: string[] } | { kind: 'all'; datasetId?: string };

export type PendingImage = { id: string; sourceName: string; width: number; height: number; prelabelModel: string | null };
export type PendingCounts = { total: number; pending: number; done: number };
export type PendingPage = { model: string; images: PendingImage[]; nextCursor: string | null; counts: PendingCounts };
export type SaveResult = { skipped: boolean; created: number; updated: number; replaced: number };
