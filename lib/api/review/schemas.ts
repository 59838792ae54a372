import { z } from 'zod';
import { AGE_BIN_COUNT } from '@/lib/domain/age-bins';
import { FACE_STATUSES, GENDERS } from '@/lib/domain/labels';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();

/** Query of GET /api/review (all optional; statuses as a comma-separated list). */
export const ReviewQuery = z.object({
  status: z
    .string()
    .default('LABELED')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(FACE_STATUSES)).min(1)),
  annotatorId: z.string().max(64).optional(),
  datasetId: z.string().max(64).optional(),
  /** labeledAt ≥ from and < to (ISO dates or date-times). */
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  disagreement: flag,
  gender: z.enum(GENDERS).optional(),
  ageBin: z.coerce.number().int().min(0).max(AGE_BIN_COUNT - 1).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(60),
});
export type ReviewQuery = z.infer<typeof ReviewQuery>;

const FaceRef = z.object({ id: z.string().min(1).max(64), version: z.number().int().min(1) });

/** POST /api/review/approve: the faces (at the versions the curator saw) to mark REVIEWED. */
export const ApproveBody = z.object({ faces: z.array(FaceRef).min(1).max(500) });
export type ApproveBody = z.infer<typeof ApproveBody>;

/** POST /api/review/send-back: faces back to the annotation queue, with a note for the history. */
export const SendBackBody = z.object({
  faces: z.array(FaceRef).min(1).max(500),
  note: z.string().trim().max(500).optional(),
});
export type SendBackBody = z.infer<typeof SendBackBody>;
