import type { PrismaClient } from '@/lib/server/db';
import { notFound } from '@/lib/server/http/errors';
import { jobSelect } from '@/lib/server/jobs/queue';

/** Model jobs (rounds, re-scores) that the Models page may show and cancel. */
export const MODEL_JOB_KINDS = ['TRAIN', 'RESCORE'] as const;

/** A round's or re-score's state with its log (entries after `afterLogId`), epochs included as data. */
export async function getJob(prisma: PrismaClient, id: string, afterLogId = 0) {
  const job = await prisma.job.findFirst({ where: { id, kind: { in: [...MODEL_JOB_KINDS] } }, select: { ...jobSelect, leaseOwner: true, heartbeatAt: true } });
  if (!job) throw notFound('No such job');
  const logs = await prisma.jobLog.findMany({ where: { jobId: id, id: { gt: afterLogId } }, orderBy: { id: 'asc' }, take: 2000, select: { id: true, at: true, level: true, message: true, data: true } });
  return { job, logs };
}
