import type { PrismaClient } from '@/lib/server/db';
import { cancelJob } from '@/lib/server/jobs/queue';
import { notFound } from '@/lib/server/http/errors';

export async function cancelExport(prisma: PrismaClient, id: string) {
  const record = await prisma.export.findUnique({ where: { id }, select: { jobId: true } });
  if (!record) throw notFound('No such export');
  return { outcome: await cancelJob(prisma, record.jobId) };
}
