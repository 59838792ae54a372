import type { PrismaClient } from '@/lib/server/db';
import { currentFace } from '@/lib/api/faces/editor-face';
import { faceGone } from '@/lib/api/faces/errors';
import { HttpError } from '@/lib/server/http/errors';
import { leaseMs } from './settings';

/**
 * Keeps a served face reserved while its editor is open (the UI calls it every minute or so).
 * A lease that ran out is renewed too, as long as nobody else has claimed the face since;
 * otherwise 409 LEASE_LOST with the face as it is now.
 */
export async function renewLease(prisma: PrismaClient, faceId: string, userId: string, now = new Date()) {
  const leaseExpiresAt = new Date(now.getTime() + leaseMs());
  const { count } = await prisma.face.updateMany({
    where: { id: faceId, leaseOwnerId: userId, status: 'PREDICTED' },
    data: { leaseExpiresAt },
  });
  if (count === 1) return { leaseExpiresAt };
  const current = await currentFace(prisma, faceId, userId);
  if (!current) throw faceGone();
  throw new HttpError(
    409,
    'LEASE_LOST',
    current.status !== 'PREDICTED'
      ? 'This face has been saved meanwhile (see the current state); it is no longer reserved for you.'
      : 'Your reservation of this face ran out and another annotator has it now.',
    { current },
  );
}
