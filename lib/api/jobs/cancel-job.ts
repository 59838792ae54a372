import type { PrismaClient } from '@/lib/server/db';
import { notFound } from '@/lib/server/http/errors';
import { cancelJob } from '@/lib/server/jobs/queue';
import { MODEL_JOB_KINDS } from './get-job';

/** Cancel a round or re-score: a queued one never starts; a running one stops at its next heartbeat. */
export async function cancelModelJob(prisma: PrismaClient, id: string) {
  const job = await prisma.job.findFirst({ where: { id, kind: { in: [...MODEL_JOB_KINDS] } }, select: { id: true } });
  if (!job) throw notFound('No such job');
  return { outcome: await cancelJob(prisma, id) };
}
