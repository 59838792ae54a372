import { z } from 'zod';
import type { Prisma } from '@/prisma/generated/sqlite/client';
import type { PrismaClient } from '@/lib/server/db';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export const PendingQuery = z.object({
  /** The model version the browser runs (the predictions API's `model`). */
  model: z.string().min(1).max(100).regex(/^[A-Za-z0-9._:/-]+$/),
  datasetId: z.string().max(64).optional(),
  /** Comma-separated image ids (the images just uploaded); at most 200 per request. */
  ids: z
    .string()
    .max(200 * 65)
    .transform((v) => v.split(',').filter(Boolean))
    .refine((ids) => ids.length <= 200 && ids.every((id) => ID.test(id)), 'ids: up to 200 comma-separated image ids')
    .optional(),
  /** The last image id of the previous page. */
  cursor: z.string().regex(ID).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type PendingQuery = z.infer<typeof PendingQuery>;

export const pendingImageSelect = {
  id: true,
  sourceName: true,
  width: true,
  height: true,
  prelabelModel: true,
  dataset: { select: { detScoreThreshold: true } },
} as const;

/**
 * Images that this model version has not pre-labeled yet (never pre-labeled, or by another
 * version), oldest id first, with counts for the whole scope. The browser works through this
 * list; as each image's predictions are saved it drops out, so the list itself is the resume
 * point after a reload. Deleted images are gone from the table, so never listed.
 */
export async function listPending(prisma: PrismaClient, q: PendingQuery) {
  const scope: Prisma.ImageWhereInput = {
    ...(q.datasetId ? { datasetId: q.datasetId } : {}),
    ...(q.ids ? { id: { in: q.ids } } : {}),
  };
  const pending: Prisma.ImageWhereInput = { ...scope, OR: [{ prelabelModel: null }, { prelabelModel: { not: q.model } }] };
  const [rows, pendingCount, total] = await Promise.all([
    prisma.image.findMany({
      where: { ...pending, ...(q.cursor ? { AND: [{ id: { gt: q.cursor } }] } : {}) },
      select: pendingImageSelect,
      orderBy: { id: 'asc' },
      take: q.limit + 1,
    }),
    prisma.image.count({ where: pending }),
    prisma.image.count({ where: scope }),
  ]);
  // scoreThreshold: the dataset's detector threshold (null: the detector's default), set on the Models page.
  const images = rows.slice(0, q.limit).map(({ dataset, ...image }) => ({ ...image, scoreThreshold: dataset.detScoreThreshold }));
  return {
    model: q.model,
    images,
    nextCursor: rows.length > q.limit ? images[images.length - 1].id : null,
    counts: { total, pending: pendingCount, done: total - pendingCount },
  };
}
