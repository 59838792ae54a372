import type { PrismaClient } from '@/lib/server/db';
import { blobs } from '@/lib/server/blobs';
import { notFound } from '@/lib/server/http/errors';
import { cancelJob } from '@/lib/server/jobs/queue';
import { ImportJobParams } from './import-job';

/**
 * Cancels an import: a queued one never starts (its upload is deleted now); a running one stops
 * after the batch in hand — every batch already committed stays complete — and its worker
 * deletes the upload.
 */
export async function cancelImportJob(prisma: PrismaClient, id: string) {
  const job = await prisma.job.findFirst({ where: { id, kind: 'IMPORT' }, select: { id: true, params: true } });
  if (!job) throw notFound('No such import');
  const outcome = await cancelJob(prisma, id);
  const params = ImportJobParams.safeParse(job.params);
  if (outcome === 'cancelled' && params.success) await blobs().delete(params.data.uploadKey);
  return { outcome };
}
