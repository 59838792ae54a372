import { z } from 'zod';
import { FACE_STATUSES } from '@/lib/domain/labels';
import { DEFAULT_SPLIT_SEED } from '@/lib/domain/split';

export const ExportFilters = z.object({
  statuses: z.array(z.enum(FACE_STATUSES)).min(1).default(['LABELED', 'REVIEWED', 'IMPORTED']),
  datasetId: z.string().max(64).optional(),
  annotatorId: z.string().max(64).optional(),
  /** Labeled on or after / before (ISO dates). */
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});

export const ExportOptions = z.object({
  /** Crop margin around the face box, as a fraction of the box's longer side per edge. */
  margin: z.number().min(0).max(1).default(0.4),
  /** Side of the square JPEG crops, in pixels (UTKFace chips are 200). */
  size: z.number().int().min(32).max(1024).default(200),
  splitSeed: z.string().min(1).max(64).default(DEFAULT_SPLIT_SEED),
});

export const ExportParams = z.object({
  filters: ExportFilters.default({ statuses: ['LABELED', 'REVIEWED', 'IMPORTED'] }),
  options: ExportOptions.default({ margin: 0.4, size: 200, splitSeed: DEFAULT_SPLIT_SEED }),
});
export type ExportParams = z.infer<typeof ExportParams>;

export const exportSelect = {
  id: true,
  filters: true,
  storageKey: true,
  bytes: true,
  counts: true,
  containsPurged: true,
  createdAt: true,
  finishedAt: true,
  job: { select: { id: true, status: true, progress: true, progressMessage: true, error: true, createdBy: { select: { email: true } } } },
} as const;
