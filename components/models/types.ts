/** Shapes of /api/models and /api/jobs/[id] as the Models page reads them. */
export type Summary = { n: number; ageMae: number | null; genderAccuracy: number | null; binExact: number | null; binWithin1: number | null; genderEce: number | null };
export type Report = { overall: Summary; byAgeBand: Record<string, Summary>; byGender: Record<string, Summary>; byRace: Record<string, Summary>; byGroup?: Record<string, Summary>; byDataset?: Record<string, Summary> };
export type VersionMetrics = {
  heldOut?: Report;
  parentHeldOut?: Report;
  gate?: { promote: boolean; reason: string };
  history?: { epoch: number; loss: number | null; valMae: number | null; valAcc: number | null }[];
  bundled?: { test: Summary | null; note: string };
} | null;
export type VersionRow = {
  id: string;
  version: string;
  status: string;
  active: boolean;
  served: boolean;
  available: boolean;
  path: string;
  parentVersion: string | null;
  createdAt: string;
  promotedAt: string | null;
  jobId: string | null;
  metrics: VersionMetrics;
  dataCounts: { newLabels?: number; train?: number; val?: number; heldOut?: number; genderMasked?: number; fromScratch?: boolean; bundled?: boolean } | null;
};
export type JobRow = {
  id: string;
  kind: string;
  status: string;
  progress: number;
  progressMessage: string | null;
  attempts: number;
  maxAttempts: number;
  error: string | null;
  result: unknown;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};
export type ModelsView = { name: string; served: { version: string; url: string } | null; problems: string[]; versions: VersionRow[]; jobs: JobRow[]; newLabels: number };
export type JobLogRow = { id: number; at: string; level: string; message: string; data: { type?: string; epoch?: number; maxEpochs?: number; loss?: number | null; valMae?: number | null; valAcc?: number | null; etaSeconds?: number } | null };

export const isLive = (status: string) => status === 'QUEUED' || status === 'RUNNING';

/** How the Models page names a job kind (FEATURES: the worker's idle-time feature extraction). */
export const jobKindLabel = (kind: string) => ({ TRAIN: 'round', RESCORE: 're-score', FEATURES: 'features (background)' })[kind] ?? kind.toLowerCase();
export const fmt = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
export const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)}%`);
