import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { receiveToTempFile } from '@/lib/api/uploads/receive-upload';
import type { UploadHeaders } from '@/lib/api/uploads/upload-file';
import type { PrismaClient } from '@/lib/server/db';
import { HttpError } from '@/lib/server/http/errors';
import { loadIngestLimits } from '@/lib/server/ingest/limits';
import { sniffFile } from '@/lib/server/ingest/sniff';
import { importUtkface, resolveImportDataset } from './import-utkface';
import { singleFileSource, zipSource } from './sources';
import type { ImportSummary } from './summary';

/** `?dataset=NAME&dryRun=1` (the dataset may also be named by id in `x-dataset-id`). */
export const ImportQuery = z.object({
  dataset: z.string().trim().min(1).max(200).optional(),
  dryRun: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
});

export type ImportRequest = z.infer<typeof UploadHeaders> & z.infer<typeof ImportQuery> & { userId: string };

/** A received upload, ready to import; `run` imports it once and removes the temp file. */
export type ReceivedImport = {
  run(onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<ImportSummary>;
};

/**
 * Receives one uploaded file for a UTKFace import — a .zip (by content) or a single image named
 * like a UTKFace file — into a temp file, after checking the size and the dataset, so those
 * problems are HTTP errors before any work starts.
 */
export async function receiveUtkfaceImport(
  prisma: PrismaClient,
  body: ReadableStream<Uint8Array> | null,
  request: ImportRequest,
): Promise<ReceivedImport> {
  const limits = loadIngestLimits();
  const maxBytes = Math.max(limits.maxUploadBytes, limits.maxZipBytes);
  if ((request['content-length'] ?? 0) > maxBytes) {
    throw new HttpError(413, 'TOO_LARGE', `The upload is larger than the ${Math.round(maxBytes / 2 ** 20)} MiB limit`);
  }
  const dataset = { datasetId: request['x-dataset-id'], datasetName: request.dataset, dryRun: request.dryRun, userId: request.userId };
  await resolveImportDataset(prisma, { ...dataset, dryRun: true }); // 404 for an unknown id, before the body is read
  const temp = await receiveToTempFile(body, maxBytes);
  const sniffed = await sniffFile(temp);
  if (sniffed.kind === 'archive') {
    await rm(temp, { force: true });
    throw new HttpError(422, 'UNSUPPORTED_ARCHIVE', `This is ${sniffed.label}; only .zip archives (or single images) can be imported.`);
  }
  const name = request['x-file-name'];
  const source = sniffed.kind === 'zip' ? zipSource(temp, limits, name) : singleFileSource(temp, name, limits);
  let used = false;
  return {
    async run(onProgress, signal) {
      if (used) throw new Error('an upload is imported once');
      used = true;
      try {
        return await importUtkface(prisma, source, { ...dataset, limits, onProgress, signal });
      } finally {
        await rm(temp, { force: true });
      }
    },
  };
}

export const NDJSON = 'application/x-ndjson';

export type ImportStreamLine =
  | { type: 'progress'; done: number; total: number }
  | { type: 'summary'; summary: ImportSummary }
  | { type: 'error'; error: { code: string; message: string } };

/**
 * Runs the import while streaming newline-delimited JSON: `progress` lines (at most five a
 * second), then one `summary` line (or an `error` line). Lets the browser show real progress for
 * a big zip. If the client goes away, the import stops after the batch in hand.
 */
export function streamImport(received: ReceivedImport): Response {
  const abort = new AbortController();
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (line: ImportStreamLine) => {
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
        } catch {
          /* the client is gone */
        }
      };
      let last = 0;
      try {
        const summary = await received.run((done, total) => {
          const now = Date.now();
          if (now - last < 200 && done < total) return;
          last = now;
          send({ type: 'progress', done, total });
        }, abort.signal);
        send({ type: 'summary', summary });
      } catch (error) {
        console.error('[facet] UTKFace import failed', error);
        send({
          type: 'error',
          error: error instanceof HttpError
            ? { code: error.code, message: error.message }
            : { code: 'INTERNAL', message: 'Something went wrong on the server; the import stopped.' },
        });
      } finally {
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      }
    },
    cancel() {
      abort.abort();
    },
  });
  return new Response(stream, {
    headers: {
      'Content-Type': `${NDJSON}; charset=utf-8`,
      // no-transform: keeps compression middleware from buffering the progress lines.
      'Cache-Control': 'no-store, no-transform',
      'X-Accel-Buffering': 'no',
    },
  });
}
