import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { storeImage } from '@/lib/api/images/store-image';
import type { PrismaClient } from '@/lib/server/db';
import { config } from '@/lib/server/config';
import { HttpError, notFound } from '@/lib/server/http/errors';
import { ingestUpload } from '@/lib/server/ingest/ingest-file';
import { loadIngestLimits } from '@/lib/server/ingest/limits';
import { receiveToTempFile } from './receive-upload';

export const UploadHeaders = z.object({
  /** encodeURIComponent of the file's name or folder-relative path. */
  'x-file-name': z
    .string()
    .max(4096)
    .transform((v, ctx) => {
      try {
        return decodeURIComponent(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'x-file-name must be URI-encoded' });
        return z.NEVER;
      }
    }),
  'x-dataset-id': z.string().max(64).optional(),
  'content-length': z.coerce.number().int().nonnegative().optional(),
});

async function resolveDataset(prisma: PrismaClient, datasetId: string | undefined): Promise<string> {
  if (datasetId) {
    const found = await prisma.dataset.findUnique({ where: { id: datasetId }, select: { id: true } });
    if (!found) throw notFound('No such dataset');
    return found.id;
  }
  const name = config().defaultDataset;
  const dataset = await prisma.dataset.upsert({ where: { name }, create: { name }, update: {}, select: { id: true } });
  return dataset.id;
}

/** One uploaded file (an image or a zip of images) → stored images + a per-entry report. */
export async function uploadFile(
  prisma: PrismaClient,
  body: ReadableStream<Uint8Array> | null,
  headers: z.infer<typeof UploadHeaders>,
  userId: string,
) {
  const limits = loadIngestLimits();
  const maxBytes = Math.max(limits.maxUploadBytes, limits.maxZipBytes);
  if ((headers['content-length'] ?? 0) > maxBytes) {
    throw new HttpError(413, 'TOO_LARGE', `The upload is larger than the ${Math.round(maxBytes / 2 ** 20)} MiB limit`);
  }
  const datasetId = await resolveDataset(prisma, headers['x-dataset-id']);
  const temp = await receiveToTempFile(body, maxBytes);
  try {
    const report = await ingestUpload(temp, headers['x-file-name'], {
      limits,
      findExisting: async (hash) =>
        (await prisma.image.findUnique({ where: { contentHash: hash }, select: { id: true } }))?.id ?? null,
      onImage: (image, name) => storeImage(prisma, image, name, { datasetId, uploadedById: userId }),
    });
    if (report.internalError) console.error('[facet] upload store failed', report.internalError);
    const { internalError: _hidden, ...visible } = report;
    return visible;
  } finally {
    await rm(temp, { force: true });
  }
}
