import type { PrismaClient } from '@/lib/server/db';
import { bulkTransition } from './bulk';
import type { SendBackBody } from './schemas';

/**
 * Send back: the faces return to the annotation queue (PREDICTED, unleased, no labeler/reviewer),
 * keeping their labels so the next annotator sees what was there; the note goes into the history
 * (SEND_BACK event) and the editor shows it as the face's last change.
 */
export function sendBack(prisma: PrismaClient, userId: string, body: SendBackBody) {
  return bulkTransition(prisma, userId, body.faces, {
    action: 'SEND_BACK',
    from: ['LABELED', 'REVIEWED', 'SKIPPED', 'IMPORTED'],
    to: 'PREDICTED',
    note: body.note || undefined,
    data: {
      status: 'PREDICTED',
      labeledById: null,
      labeledAt: null,
      reviewedById: null,
      reviewedAt: null,
      leaseOwnerId: null,
      leaseExpiresAt: null,
      servedReason: null,
    },
  });
}
