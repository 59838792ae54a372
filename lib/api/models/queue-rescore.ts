import type { PrismaClient } from '@/lib/server/db';
import { enqueueJob } from '@/lib/server/jobs/queue';

/** Queues re-scoring of the annotation queue with `version`; a still-queued older re-score is cancelled. */
export async function queueRescore(prisma: PrismaClient, name: string, version: string, createdById: string | null) {
  await prisma.job.updateMany({
    where: { kind: 'RESCORE', status: 'QUEUED' },
    data: { status: 'CANCELLED', cancelRequested: true, finishedAt: new Date(), error: `superseded by ${name} ${version}` },
  });
  return enqueueJob(prisma, { kind: 'RESCORE', params: { name, version }, createdById, maxAttempts: 3 });
}
