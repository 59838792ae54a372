import type { PrismaClient } from '@/lib/server/db';
import { blobs } from '@/lib/server/blobs';
import { notFound } from '@/lib/server/http/errors';

/**
 * Hard delete (privacy): the image row, its faces and predictions go; label history keeps only
 * anonymous facts (action, time) with its content cleared; exports that held it are marked; an
 * audit record keeps who purged what hash. Files are removed after the rows, so a crash in
 * between leaves an orphan file for the sweeper, never a row pointing at nothing.
 */
const PURGED = { purged: true };

export async function deleteImage(prisma: PrismaClient, id: string, actorId: string) {
  const image = await prisma.image.findUnique({
    where: { id },
    select: { id: true, contentHash: true, storageKey: true, thumbKey: true, _count: { select: { faces: true } } },
  });
  if (!image) throw notFound('No such image');
  await prisma.$transaction([
    prisma.labelEvent.updateMany({ where: { imageId: id }, data: { before: PURGED, after: PURGED, imageId: null } }),
    prisma.export.updateMany({
      where: { items: { some: { contentHash: image.contentHash } } },
      data: { containsPurged: true },
    }),
    prisma.image.delete({ where: { id } }),
    prisma.auditEvent.create({
      data: { action: 'IMAGE_PURGED', actorId, subject: image.contentHash, details: { faces: image._count.faces } },
    }),
  ]);
  const others = await prisma.image.count({ where: { contentHash: image.contentHash } });
  if (others === 0) await Promise.all([blobs().delete(image.storageKey), blobs().delete(image.thumbKey)]);
  return { deleted: id, faces: image._count.faces };
}
