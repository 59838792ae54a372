import type { PrismaClient } from '@/lib/server/db';
import { currentFace } from './editor-face';
import { StaleVersion, faceGone, isUniqueViolation } from './errors';
import { snapshot, snapshotSelect } from './snapshot';
import { HttpError, badRequest } from '@/lib/server/http/errors';

/**
 * Removes a face (a false detection) at the version the user saw. The DELETE event keeps the
 * face's last state (with its id) and the image; the face's older events stay, unlinked.
 * A retry with the same requestId answers `{ replayed: true }`.
 */
export async function deleteFace(
  prisma: PrismaClient,
  faceId: string,
  userId: string,
  input: { version: number; requestId?: string },
) {
  if (input.requestId) {
    const prior = await prisma.labelEvent.findUnique({
      where: { userId_requestId: { userId, requestId: input.requestId } },
      select: { action: true, before: true },
    });
    if (prior?.action === 'DELETE' && (prior.before as { id?: string } | null)?.id === faceId) return { deleted: faceId, replayed: true };
  }
  try {
    await prisma.$transaction(async (tx) => {
      const face = await tx.face.findUnique({ where: { id: faceId }, select: snapshotSelect });
      if (!face) throw faceGone();
      if (face.version !== input.version) throw new StaleVersion(faceId);
      const { count } = await tx.face.deleteMany({ where: { id: faceId, version: input.version } });
      if (count !== 1) throw new StaleVersion(faceId);
      await tx.labelEvent.create({
        data: {
          faceId: null,
          imageId: face.imageId,
          userId,
          action: 'DELETE',
          before: { id: faceId, ...snapshot(face) },
          faceVersion: input.version + 1,
          requestId: input.requestId ?? null,
        },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw badRequest('This requestId was already used; send a new one with every change.', { code: 'REQUEST_ID_REUSED' });
    if (!(error instanceof StaleVersion)) throw error;
    const current = await currentFace(prisma, faceId, userId);
    if (!current) throw faceGone();
    throw new HttpError(
      409,
      'STALE_VERSION',
      `${current.lastChange?.by?.email ?? 'Someone'} changed this face meanwhile (now version ${current.version}); look at it again before deleting.`,
      { current },
    );
  }
  return { deleted: faceId, replayed: false };
}
