import { z } from 'zod';
import { MODEL_NAME_RE } from '@/lib/server/models/store';

/** Settings of one fine-tune round (the TRAIN job's params). */
export const RoundParams = z
  .object({
    name: z.string().regex(MODEL_NAME_RE).default('agegender'),
    /** Fresh heads instead of warm-starting from the active version. */
    fromScratch: z.boolean().default(false),
    epochs: z.number().int().min(1).max(500).optional(),
    learningRate: z.number().positive().max(0.1).optional(),
    /** Early stopping: epochs without a better validation score before stopping. */
    patience: z.number().int().min(1).max(500).optional(),
    /** Also report the UTKFace test split (needs ../shared/data/utkface; slow the first time). */
    includeUtkTest: z.boolean().default(false),
    gate: z
      .object({ maeEpsilon: z.number().min(0).max(100), accEpsilon: z.number().min(0).max(1), minHeldOut: z.number().int().min(0).max(1_000_000) })
      .partial()
      .optional(),
  })
  .strict();
export type RoundParams = z.infer<typeof RoundParams>;

export const PromoteBody = z.object({ reason: z.string().max(500).optional() }).strict();

/** Faces whose human labels train the model. */
export const LABELED_STATUSES = ['LABELED', 'REVIEWED', 'IMPORTED'] as const;
/** The faces a round trains and evaluates on (human-labeled, with an age): what the features prefetch caches too. */
export const TRAINING_FACES = { status: { in: [...LABELED_STATUSES] }, age: { not: null } };
