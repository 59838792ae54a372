import type { PrismaClient } from '@/lib/server/db';
import { activateVersion } from '@/lib/server/models/store';
import { queueRescore } from './queue-rescore';

/**
 * A maintainer's promotion: override a rejected candidate or roll back to any earlier version.
 * Recorded in the audit trail; the annotation queue is re-scored with the version.
 */
export async function promoteVersion(prisma: PrismaClient, id: string, userId: string, reason?: string) {
  const before = await prisma.modelVersion.findFirst({ where: { id }, select: { name: true } });
  const previous = before ? await prisma.modelVersion.findFirst({ where: { name: before.name, active: true }, select: { version: true } }) : null;
  const version = await activateVersion(prisma, id);
  await prisma.auditEvent.create({
    data: { action: 'MODEL_PROMOTE', actorId: userId, subject: `${version.name}/${version.version}`, details: { from: previous?.version ?? null, reason: reason ?? null } },
  });
  const rescore = await queueRescore(prisma, version.name, version.version, userId);
  return { version, previous: previous?.version ?? null, rescoreJobId: rescore.id };
}
