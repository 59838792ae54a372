import type { PrismaClient } from '@/lib/server/db';
import { ageToBin } from '@/lib/domain/age-bins';
import { replayRequest } from '@/lib/api/annotate/replay';
import { clampBox } from './box';
import { currentFace } from './editor-face';
import { faceGone, imageGone, isUniqueViolation } from './errors';
import type { CreateFaceBody } from './schemas';
import { snapshot } from './snapshot';

/** Uncertainty given to a hand-drawn face without labels: the detector missed it, so it leads the queue. */
export const DRAWN_UNCERTAINTY = 1;
export const DRAWN_WHY = 'drawn by hand: the detector missed this face';

/**
 * A face the annotator drew on an image (boxSource DRAWN), with one CREATE event. With gender and
 * age it is LABELED by its author at once; without them it is PREDICTED (unlabeled), so it appears
 * in the queue (at the top) and in the editor. Retrying with the same requestId returns the same face.
 */
export async function createFace(
  prisma: PrismaClient,
  imageId: string,
  userId: string,
  body: CreateFaceBody,
  now = new Date(),
  retry = true,
): Promise<{ face: NonNullable<Awaited<ReturnType<typeof currentFace>>>; replayed: boolean }> {
  if (body.requestId) {
    const prior = await prisma.labelEvent.findUnique({
      where: { userId_requestId: { userId, requestId: body.requestId } },
      select: { faceId: true },
    });
    if (prior?.faceId) return (await replayRequest(prisma, userId, body.requestId, prior.faceId))!;
    if (prior) throw faceGone(); // that request's face has been deleted since
  }
  let faceId: string;
  try {
    faceId = await prisma.$transaction(async (tx) => {
      const image = await tx.image.findUnique({ where: { id: imageId }, select: { width: true, height: true } });
      if (!image) throw imageGone();
      const box = clampBox(body.box, image.width, image.height);
      const labeled = body.gender !== undefined && body.age !== undefined;
      const labels = {
        gender: body.gender ?? null,
        age: body.age ?? null,
        ageBin: body.age !== undefined ? ageToBin(body.age) : null,
        race: body.race ?? null,
      };
      const face = await tx.face.create({
        data: {
          imageId,
          ...box,
          boxSource: 'DRAWN',
          ...labels,
          ...(labeled
            ? { status: 'LABELED', labeledById: userId, labeledAt: now }
            : { status: 'PREDICTED', uncertainty: DRAWN_UNCERTAINTY, uncertaintyWhy: DRAWN_WHY }),
        },
        select: { id: true, status: true, gender: true, age: true, ageBin: true, race: true, x: true, y: true, w: true, h: true },
      });
      await tx.labelEvent.create({
        data: { faceId: face.id, imageId, userId, action: 'CREATE', after: snapshot(face), faceVersion: 1, requestId: body.requestId ?? null },
      });
      return face.id;
    });
  } catch (error) {
    if (body.requestId && retry && isUniqueViolation(error)) return createFace(prisma, imageId, userId, body, now, false); // a concurrent twin won
    throw error;
  }
  return { face: (await currentFace(prisma, faceId, userId))!, replayed: false as const };
}
