import { z } from 'zod';
import { MAX_AGE } from '@/lib/domain/age-bins';
import { GENDERS, RACES } from '@/lib/domain/labels';

const LIMIT = 1_000_000;
const coordinate = (name: string) =>
  z
    .number({ error: `box.${name} must be a number of pixels` })
    .refine((n) => Number.isFinite(n) && Math.abs(n) <= LIMIT, { error: `box.${name} is out of range` });

/** A box in image pixels as the UI sends it (clamped and size-checked against the image later). */
export const BoxInput = z.object({ x: coordinate('x'), y: coordinate('y'), w: coordinate('w'), h: coordinate('h') });
export type BoxInput = z.infer<typeof BoxInput>;

/** Whole years, 0..MAX_AGE, with a message the annotator can act on. */
export const AgeInput = z.unknown().transform((value, ctx) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_AGE) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    ctx.addIssue({ code: 'custom', message: `age must be a whole number of years from 0 to ${MAX_AGE} (got ${shown})` });
    return z.NEVER;
  }
  return value;
});

/** A client-generated id per save (e.g. crypto.randomUUID()): a retried request is answered, not repeated. */
export const RequestId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'requestId: letters, digits, - and _ only' });

export const LabelFields = {
  gender: z.enum(GENDERS).optional(),
  age: AgeInput.optional(),
  race: z.enum(RACES).nullable().optional(),
};

export const CreateFaceBody = z.object({
  box: BoxInput,
  requestId: RequestId.optional(),
  ...LabelFields,
});
export type CreateFaceBody = z.infer<typeof CreateFaceBody>;

export const DeleteFaceQuery = z.object({
  version: z.coerce.number().int().min(1),
  requestId: RequestId.optional(),
});
