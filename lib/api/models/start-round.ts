import type { Prisma } from '@/prisma/generated/sqlite/client';
import type { PrismaClient } from '@/lib/server/db';
import { HttpError, conflict } from '@/lib/server/http/errors';
import { QUEUE_LOCK, jobSelect, withQueueLock } from '@/lib/server/jobs/queue';
import { seedBundledVersions } from '@/lib/server/models/store';
import { countNewLabels } from './new-labels';
import type { RoundParams } from './schemas';

/**
 * Queues a fine-tune round (TRAIN job). Refused with 409 while a round of the same model is
 * queued or running (checked and inserted under a database lock, so two clicks never make two
 * jobs), and with 400 when no face was labeled since the last round.
 */
export async function startRound(prisma: PrismaClient, params: RoundParams, userId: string | null) {
  await seedBundledVersions(prisma, params.name);
  const { count, since } = await countNewLabels(prisma, params.name);
  if (count === 0) {
    throw new HttpError(400, 'NO_NEW_LABELS', since.getTime() > 0 ? `No faces were labeled since the last round (${since.toISOString()}); label some first.` : 'There are no labeled faces to train on yet.');
  }
  return withQueueLock(prisma, QUEUE_LOCK.rounds, async (tx) => {
    const active = await tx.job.findMany({ where: { kind: 'TRAIN', status: { in: ['QUEUED', 'RUNNING'] } }, select: { id: true, params: true, status: true } });
    const twin = active.find((j) => (j.params as { name?: string } | null)?.name === params.name);
    if (twin) throw conflict(`A round of ${params.name} is already ${twin.status === 'RUNNING' ? 'running' : 'queued'}`, { jobId: twin.id });
    const job = await tx.job.create({
      data: { kind: 'TRAIN', params: params as unknown as Prisma.InputJsonValue, createdById: userId, maxAttempts: 2 },
      select: jobSelect,
    });
    return { job, newLabels: count };
  });
}
