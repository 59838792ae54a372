import type { PrismaClient } from '@/lib/server/db';
import { bulkTransition } from './bulk';
import type { ApproveBody } from './schemas';

/** Bulk approve: LABELED (or IMPORTED) faces become REVIEWED by the curator. */
export function approveFaces(prisma: PrismaClient, userId: string, body: ApproveBody, now = new Date()) {
  return bulkTransition(prisma, userId, body.faces, {
    action: 'REVIEW',
    from: ['LABELED', 'IMPORTED'],
    to: 'REVIEWED',
    data: { status: 'REVIEWED', reviewedById: userId, reviewedAt: now },
  });
}
