import type { StoreOutcome } from '@/lib/server/ingest/ingest-file';
import type { NormalizedImage } from '@/lib/server/ingest/normalize-image';
import type { PrismaClient } from '@/lib/server/db';
import { blobs } from '@/lib/server/blobs';
import { imageKey, thumbKey } from '@/lib/server/storage/storage';

export type StoreTarget = { datasetId: string; uploadedById: string | null };

/**
 * Stores one normalized image: blobs first (atomic, content-addressed, so rewriting is harmless),
 * then the row. If the row fails, the blobs are removed again unless another row owns them; a
 * crash in between leaves only an unreferenced blob, which the orphan sweep removes.
 */
export async function storeImage(
  prisma: PrismaClient,
  image: NormalizedImage,
  sourceName: string,
  target: StoreTarget,
): Promise<StoreOutcome> {
  const existing = await prisma.image.findUnique({ where: { contentHash: image.contentHash }, select: { id: true } });
  if (existing) return { status: 'duplicate', imageId: existing.id };
  const storageKey = imageKey(image.contentHash, image.ext);
  const thumb = thumbKey(image.contentHash);
  await blobs().put(storageKey, image.data);
  await blobs().put(thumb, image.thumb);
  try {
    const row = await prisma.image.create({
      data: {
        contentHash: image.contentHash,
        storageKey,
        thumbKey: thumb,
        mimeType: image.mime,
        bytes: image.bytes,
        width: image.width,
        height: image.height,
        sourceName: sourceName.slice(0, 1024),
        datasetId: target.datasetId,
        uploadedById: target.uploadedById,
      },
      select: { id: true },
    });
    return { status: 'stored', imageId: row.id };
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') {
      // The same bytes were uploaded concurrently and the other request won.
      const winner = await prisma.image.findUnique({ where: { contentHash: image.contentHash }, select: { id: true } });
      if (winner) return { status: 'duplicate', imageId: winner.id };
    }
    const owner = await prisma.image.count({ where: { contentHash: image.contentHash } }).catch(() => 1);
    if (owner === 0) await Promise.allSettled([blobs().delete(storageKey), blobs().delete(thumb)]);
    throw error;
  }
}
