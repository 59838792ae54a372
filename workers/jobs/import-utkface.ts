import { ImportJobParams } from '@/lib/api/imports/import-job';
import { importUtkface } from '@/lib/api/imports/import-utkface';
import { singleFileSource, zipSource } from '@/lib/api/imports/sources';
import { describeSummary } from '@/lib/api/imports/summary';
import { blobs } from '@/lib/server/blobs';
import { loadIngestLimits } from '@/lib/server/ingest/limits';
import { type JobContext, JobCancelled } from '../runner';

/**
 * IMPORT job: imports an uploaded .zip (or single image) of UTKFace-named files, reporting
 * progress, and keeps the summary (imported, duplicates, unlabeled, rejected with reasons) as the
 * job's result. Imports are idempotent, so a retry after a crash only finds duplicates for what
 * was already committed. A cancel stops after the batch in hand; committed batches stay. The
 * upload is deleted once the job has ended (not while a retry may still need it).
 */
export async function runImportJob(ctx: JobContext) {
  const { prisma, job, signal } = ctx;
  const params = ImportJobParams.parse(job.params);
  const store = blobs();
  let ended = false;
  try {
    if (!(await store.exists(params.uploadKey))) {
      ended = true;
      throw new Error('The uploaded file is no longer there; upload it again.');
    }
    const file = store.pathFor(params.uploadKey);
    const limits = loadIngestLimits();
    const source = params.archive ? zipSource(file, limits, params.fileName) : singleFileSource(file, params.fileName, limits);
    const verb = params.dryRun ? 'checked' : 'imported';
    const summary = await importUtkface(prisma, source, {
      ...(params.datasetId ? { datasetId: params.datasetId } : { datasetName: params.datasetName }),
      dryRun: params.dryRun,
      userId: params.userId,
      limits,
      signal,
      onProgress: (done, total) => ctx.progress(total ? done / total : 0, `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} files ${verb}`),
    });
    if (signal.aborted) {
      // Cancelled, or this worker lost its lease (another one carries on with the upload).
      const row = await prisma.job.findUnique({ where: { id: job.id }, select: { cancelRequested: true } });
      ended = Boolean(row?.cancelRequested);
      await ctx.log(`stopped: ${describeSummary(summary)}`, 'warn');
      throw new JobCancelled();
    }
    if (summary.error?.code === 'STORE_FAILED' && job.attempts < job.maxAttempts) {
      await ctx.log(`${summary.error.message} (${describeSummary(summary)})`, 'warn');
      throw new Error(summary.error.message); // retried: what was committed comes back as duplicates
    }
    ended = true;
    await ctx.log(describeSummary(summary));
    return summary;
  } finally {
    if (ended || job.attempts >= job.maxAttempts) await store.delete(params.uploadKey).catch(() => undefined);
  }
}
