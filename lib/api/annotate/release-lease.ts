import type { PrismaClient } from '@/lib/server/db';

/** Gives a served face back to the queue at once (editor closed without saving). Idempotent. */
export async function releaseLease(prisma: PrismaClient, faceId: string, userId: string) {
  const { count } = await prisma.face.updateMany({
    where: { id: faceId, leaseOwnerId: userId },
    data: { leaseOwnerId: null, leaseExpiresAt: null },
  });
  return { released: count === 1 };
}
