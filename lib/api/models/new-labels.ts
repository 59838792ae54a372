import type { PrismaClient } from '@/lib/server/db';
import { TRAINING_FACES } from './schemas';

/** When the newest round of `name` read its data (epoch for none): labels after it are new. */
export async function lastSnapshot(prisma: PrismaClient, name: string): Promise<Date> {
  const rows = await prisma.modelVersion.findMany({ where: { name }, select: { dataCounts: true } });
  const times = rows.map((r) => Date.parse(String((r.dataCounts as { snapshotAt?: string } | null)?.snapshotAt ?? ''))).filter(Number.isFinite);
  return new Date(Math.max(0, ...times));
}

/** Human-labeled faces (labeled or reviewed) since the last round's snapshot. */
export async function countNewLabels(prisma: PrismaClient, name: string): Promise<{ count: number; since: Date }> {
  const since = await lastSnapshot(prisma, name);
  const count = await prisma.face.count({
    where: {
      ...TRAINING_FACES,
      OR: [{ labeledAt: { gt: since } }, { reviewedAt: { gt: since } }],
    },
  });
  return { count, since };
}
