import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { receiveToTempFile } from '@/lib/api/uploads/receive-upload';
import type { PrismaClient } from '@/lib/server/db';
import { blobs } from '@/lib/server/blobs';
import { HttpError } from '@/lib/server/http/errors';
import { loadIngestLimits } from '@/lib/server/ingest/limits';
import { sniffFile } from '@/lib/server/ingest/sniff';
import { enqueueJob } from '@/lib/server/jobs/queue';
import type { ImportRequest } from './import-upload';
import { resolveImportDataset } from './import-utkface';
import { getImportJob, type ImportJobParams, type ImportJobView } from './import-job';

/**
 * Receives one file for a UTKFace import — a .zip (by content) or a single UTKFace-named image —
 * and queues an IMPORT job for the worker. The HTTP request only lasts as long as the upload:
 * the import itself (any size, up to the zip limits) runs in the background, with progress,
 * and its summary is kept on the job. Size, dataset and archive type are checked first, so those
 * problems are HTTP errors before any work is queued.
 */
export async function startImportJob(
  prisma: PrismaClient,
  body: ReadableStream<Uint8Array> | null,
  request: ImportRequest,
): Promise<ImportJobView> {
  const limits = loadIngestLimits();
  const maxBytes = Math.max(limits.maxUploadBytes, limits.maxZipBytes);
  if ((request['content-length'] ?? 0) > maxBytes) {
    throw new HttpError(413, 'TOO_LARGE', `The upload is larger than the ${Math.round(maxBytes / 2 ** 20)} MiB limit`);
  }
  const dataset = await resolveImportDataset(prisma, {
    datasetId: request['x-dataset-id'],
    datasetName: request.dataset,
    dryRun: true, // only checks here (404 for an unknown id); the worker creates it
  });
  const temp = await receiveToTempFile(body, maxBytes);
  let moved = false;
  try {
    const sniffed = await sniffFile(temp);
    if (sniffed.kind === 'archive') {
      throw new HttpError(422, 'UNSUPPORTED_ARCHIVE', `This is ${sniffed.label}; only .zip archives (or single images) can be imported.`);
    }
    const archive = sniffed.kind === 'zip';
    const { size } = await stat(temp);
    const uploadKey = `imports/${randomUUID()}.${archive ? 'zip' : 'bin'}`;
    await blobs().putFile(uploadKey, temp);
    moved = true;
    const params: ImportJobParams = {
      uploadKey,
      fileName: request['x-file-name'],
      archive,
      bytes: size,
      ...(request['x-dataset-id'] ? { datasetId: request['x-dataset-id'] } : { datasetName: dataset.name }),
      dryRun: request.dryRun,
      userId: request.userId,
    };
    try {
      const job = await enqueueJob(prisma, { kind: 'IMPORT', params, createdById: request.userId, maxAttempts: 2 });
      return await getImportJob(prisma, job.id);
    } catch (error) {
      await blobs().delete(uploadKey);
      throw error;
    }
  } finally {
    if (!moved) await rm(temp, { force: true });
  }
}
