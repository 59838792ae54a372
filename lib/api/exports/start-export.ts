import type { PrismaClient } from '@/lib/server/db';
import { conflict } from '@/lib/server/http/errors';
import { type ExportParams, exportSelect } from './schemas';

const canonical = (value: unknown) => JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v));

/** Queues an export job; the same export already queued or running is refused (409), not started twice. */
export async function startExport(prisma: PrismaClient, params: ExportParams, userId: string) {
  const active = await prisma.job.findMany({
    where: { kind: 'EXPORT', status: { in: ['QUEUED', 'RUNNING'] } },
    select: { params: true, export: { select: { id: true } } },
  });
  const wanted = canonical(params);
  const twin = active.find((job) => canonical(job.params) === wanted);
  if (twin) throw conflict('The same export is already running', { exportId: twin.export?.id });
  return prisma.$transaction(async (tx) => {
    const job = await tx.job.create({
      data: { kind: 'EXPORT', params: JSON.parse(JSON.stringify(params)), createdById: userId, maxAttempts: 2 },
      select: { id: true },
    });
    return tx.export.create({ data: { jobId: job.id, filters: JSON.parse(JSON.stringify(params.filters)) }, select: exportSelect });
  });
}
