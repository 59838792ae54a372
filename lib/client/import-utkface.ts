import { emptySummary, mergeSummaries, tally, type ImportSummary } from '@/lib/api/imports/summary';
import type { PickedFile } from './collect-files';

export type ImportSettings = { dataset: string; dryRun: boolean };
export type ImportProgress = { value: number; label: string };

export class ImportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

type StreamLine =
  | { type: 'progress'; done: number; total: number }
  | { type: 'summary'; summary: ImportSummary }
  | { type: 'error'; error: { code: string; message: string } };

function importUrl({ dataset, dryRun }: ImportSettings): string {
  const query = new URLSearchParams();
  if (dataset.trim()) query.set('dataset', dataset.trim());
  if (dryRun) query.set('dryRun', '1');
  return `/api/imports/utkface?${query}`;
}

/**
 * Sends one file (a .zip or an image) as the raw body and follows the server's progress stream:
 * `onUpload(sentBytes, totalBytes)` while uploading, then `onImport(doneEntries, totalEntries)`.
 */
export function importOnce(
  file: File,
  path: string,
  settings: ImportSettings,
  onUpload: (sent: number, total: number) => void,
  onImport: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<ImportSummary> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let parsed = 0;
    let summary: ImportSummary | null = null;
    let failure: string | null = null;
    const readLines = () => {
      const text = xhr.responseText;
      const end = text.lastIndexOf('\n') + 1;
      if (end <= parsed) return;
      for (const raw of text.slice(parsed, end).split('\n')) {
        if (!raw.trim()) continue;
        const line = JSON.parse(raw) as StreamLine;
        if (line.type === 'progress') onImport(line.done, line.total);
        else if (line.type === 'summary') summary = line.summary;
        else failure = line.error.message;
      }
      parsed = end;
    };
    xhr.open('POST', importUrl(settings));
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/x-ndjson');
    xhr.setRequestHeader('x-file-name', encodeURIComponent(path));
    xhr.upload.onprogress = (e) => onUpload(e.loaded, e.total || file.size);
    xhr.onprogress = () => {
      if (xhr.status === 200) readLines();
    };
    xhr.onerror = () => reject(new ImportError('Network error while importing', true));
    xhr.onabort = () => reject(new ImportError('Stopped', false));
    xhr.onload = () => {
      if (xhr.status !== 200) {
        let message = `Import refused (${xhr.status})`;
        try {
          message = JSON.parse(xhr.responseText).error?.message ?? message;
        } catch {
          /* not JSON */
        }
        reject(new ImportError(message, xhr.status >= 500));
        return;
      }
      try {
        readLines();
      } catch {
        reject(new ImportError('The server sent an unreadable answer', true));
        return;
      }
      if (summary) resolve(summary);
      else reject(new ImportError(failure ?? 'The import ended without a summary', failure === null));
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** Imports are idempotent (content-addressed, labels added once), so a failed send is simply retried. */
async function importWithRetry(
  file: File,
  path: string,
  settings: ImportSettings,
  onUpload: (sent: number, total: number) => void,
  onImport: (done: number, total: number) => void,
  signal?: AbortSignal,
  attempts = 3,
): Promise<ImportSummary> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await importOnce(file, path, settings, onUpload, onImport, signal);
    } catch (error) {
      if (!(error instanceof ImportError) || !error.retryable || attempt >= attempts || signal?.aborted) throw error;
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}

const MiB = 2 ** 20;
const CONCURRENCY = 3;

/**
 * Imports picked files: a single file (typically a .zip) with byte and entry progress; several
 * files (a folder) one request each, three at a time, with their summaries added up. A file the
 * server could not take is listed as rejected with the reason; the rest go on.
 */
export async function importPicked(
  picked: PickedFile[],
  settings: ImportSettings,
  onProgress: (p: ImportProgress) => void,
  signal?: AbortSignal,
): Promise<ImportSummary> {
  const started = Date.now();
  if (picked.length === 1) {
    const [{ file, path }] = picked;
    const summary = await importWithRetry(
      file,
      path,
      settings,
      (sent, total) =>
        onProgress({ value: total ? sent / total : 0, label: `Uploading ${path}: ${(sent / MiB).toFixed(1)} of ${(total / MiB).toFixed(1)} MiB` }),
      (done, total) =>
        onProgress({
          value: total ? done / total : 1,
          label: `${settings.dryRun ? 'Checking' : 'Importing'} ${done.toLocaleString()} of ${total.toLocaleString()} files`,
        }),
      signal,
    );
    onProgress({ value: 1, label: 'Done' });
    return summary;
  }

  let total: ImportSummary = emptySummary({ id: null, name: settings.dataset.trim() || 'UTKFace', created: false }, settings.dryRun);
  let first = true;
  let finished = 0;
  let next = 0;
  const report = () =>
    onProgress({
      value: picked.length ? finished / picked.length : 1,
      label: `${finished.toLocaleString()} of ${picked.length.toLocaleString()} files ${settings.dryRun ? 'checked' : 'imported'}`,
    });
  report();
  const worker = async () => {
    while (next < picked.length && !signal?.aborted) {
      const { file, path } = picked[next++];
      try {
        const summary = await importWithRetry(file, path, settings, () => undefined, () => undefined, signal);
        // The first answer names the dataset (and whether it was created) for the whole run.
        total = first ? mergeSummaries({ ...total, dataset: summary.dataset }, summary) : mergeSummaries(total, summary);
        first = false;
      } catch (error) {
        if (signal?.aborted) break;
        const failed = emptySummary(total.dataset, settings.dryRun);
        failed.total = 1;
        tally.reject(failed, path, error instanceof Error ? error.message : String(error));
        total = mergeSummaries(total, failed);
      }
      finished += 1;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, picked.length) }, worker));
  total.durationMs = Date.now() - started;
  if (signal?.aborted) {
    total.error = {
      code: 'INTERRUPTED',
      message: `Stopped after ${finished.toLocaleString()} of ${picked.length.toLocaleString()} files; the files counted above are complete.`,
    };
  }
  return total;
}
