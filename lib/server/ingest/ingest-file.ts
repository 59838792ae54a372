import { readFile, stat } from 'node:fs/promises';
import { isIngestError, type IngestErrorCode, type UploadErrorCode } from './errors';
import { DEFAULT_LIMITS, type IngestLimits } from './limits';
import { cleanName } from './names';
import { normalizeImage, sha256Hex, type NormalizedImage } from './normalize-image';
import { sniffFile } from './sniff';
import { readZipEntries, type ZipFileEntry, type ZipSummary } from './zip-reader';

export type EntryStatus = 'stored' | 'duplicate' | 'rejected' | 'skipped';

export interface EntryResult {
  /** Original file or entry name, kept as plain data. */
  name: string;
  status: EntryStatus;
  code?: IngestErrorCode | 'DIRECTORY' | 'SYSTEM_FILE';
  /** A sentence for the curator, e.g. "entry ../../etc/passwd: path escapes the archive (zip-slip: ".." path segment); not stored". */
  message?: string;
  imageId?: string;
  contentHash?: string;
}

/** What the caller's onImage did with a valid image. */
export interface StoreOutcome {
  status: 'stored' | 'duplicate';
  imageId: string;
}

export interface IngestOptions {
  /**
   * Called once per valid image, one at a time. Must store blobs + database
   * row atomically (or neither) and report 'duplicate' when the content hash
   * already exists. A throw stops the upload with STORE_FAILED.
   */
  onImage(image: NormalizedImage, name: string): Promise<StoreOutcome>;
  /** Optional fast path: id of an image with this content hash, so known files skip decoding. */
  findExisting?(contentHash: string): Promise<string | null>;
  limits?: IngestLimits;
  /** Aborting stops between entries; images already stored stay stored (each one is complete). */
  signal?: AbortSignal;
  onProgress?(processed: number, total: number): void;
}

export interface IngestReport {
  kind: 'image' | 'zip' | 'archive';
  results: EntryResult[];
  counts: Record<EntryStatus, number>;
  /** Set when the upload as a whole was refused or stopped. */
  error?: { code: UploadErrorCode; message: string };
  /** The underlying exception behind STORE_FAILED, for server logs only (never send it to a client). */
  internalError?: unknown;
}

interface Run {
  options: IngestOptions;
  limits: IngestLimits;
  report: IngestReport;
  /** Content hash -> first result with that content in this upload. */
  seen: Map<string, EntryResult>;
}

/**
 * Ingests one uploaded file (already written to `tempPath`; the caller deletes
 * it afterwards): a single image or a zip of images, decided by content.
 */
export async function ingestUpload(tempPath: string, originalName: string, options: IngestOptions): Promise<IngestReport> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const sniffed = await sniffFile(tempPath);
  const kind = sniffed.kind === 'zip' ? 'zip' : sniffed.kind === 'archive' ? 'archive' : 'image';
  const run: Run = { options, limits, seen: new Map(), report: { kind, results: [], counts: emptyCounts() } };
  const name = cleanName(originalName);

  if (sniffed.kind === 'archive') {
    run.report.error = {
      code: 'UNSUPPORTED_ARCHIVE',
      message: `${name} is ${sniffed.label}; only .zip archives are supported. Nothing was stored.`,
    };
  } else if (sniffed.kind === 'zip') {
    await ingestZip(tempPath, run);
  } else {
    await ingestSingle(tempPath, name, run);
    options.onProgress?.(1, 1);
  }
  return run.report;
}

async function ingestSingle(tempPath: string, name: string, run: Run): Promise<void> {
  const { size } = await stat(tempPath);
  // Oversized files are rejected by normalizeImage from the path, without reading them.
  const input = size <= run.limits.maxUploadBytes ? await readFile(tempPath) : tempPath;
  await ingestImage(input, name, name, run);
}

async function ingestZip(zipPath: string, run: Run): Promise<void> {
  let total = 0;
  let processed = 0;
  try {
    const onSummary = (s: ZipSummary) => {
      total = s.entryCount;
    };
    for await (const entry of readZipEntries(zipPath, run.limits, { onSummary })) {
      if (run.options.signal?.aborted) {
        interrupt(run, processed, total);
        return;
      }
      const label = `entry ${entry.name}`;
      if (entry.kind === 'skipped') {
        add(run, { name: entry.name, status: 'skipped', code: entry.code, message: `${label}: ${entry.message}; skipped` });
      } else if (entry.kind === 'rejected') {
        add(run, { name: entry.name, status: 'rejected', code: entry.code, message: `${label}: ${entry.message}; not stored` });
      } else {
        const data = await openEntry(entry, label, run);
        if (data && !(await ingestImage(data, entry.name, label, run))) return;
      }
      processed += 1;
      run.options.onProgress?.(processed, total);
    }
  } catch (err) {
    if (!isIngestError(err)) throw err;
    run.report.error = { code: isUploadCode(err.code) ? err.code : 'CORRUPT_ARCHIVE', message: err.message };
  }
}

async function openEntry(entry: ZipFileEntry, label: string, run: Run): Promise<Buffer | null> {
  try {
    return await entry.open();
  } catch (err) {
    if (!isIngestError(err)) throw err;
    add(run, { name: entry.name, status: 'rejected', code: err.code, message: `${label}: ${err.message}; not stored` });
    return null;
  }
}

/** Returns false when the upload must stop (storage failure). */
async function ingestImage(input: Buffer | string, name: string, label: string, run: Run): Promise<boolean> {
  const hash = Buffer.isBuffer(input) ? sha256Hex(input) : null;
  if (hash) {
    const earlier = run.seen.get(hash);
    if (earlier?.imageId) {
      add(run, duplicate(name, hash, earlier.imageId, `${label}: identical to ${earlier.name} in this upload; not stored again`));
      return true;
    }
    const existingId = await run.options.findExisting?.(hash);
    if (existingId) {
      add(run, duplicate(name, hash, existingId, `${label}: identical to an image already in the library; not stored again`));
      return true;
    }
  }
  const image = await normalizeImage(input, run.limits);
  if (!image.ok) {
    add(run, { name, status: 'rejected', code: image.code, message: `${label}: ${image.message}; not stored` });
    return true;
  }
  let outcome: StoreOutcome;
  try {
    outcome = await run.options.onImage(image, name);
  } catch (err) {
    add(run, { name, status: 'rejected', code: 'STORE_FAILED', message: `${label}: could not be saved (server error); not stored` });
    const stored = run.report.counts.stored;
    run.report.error = {
      code: 'STORE_FAILED',
      message: `Saving failed at ${name}, so processing stopped. ${stored} image(s) listed as stored were saved completely.`,
    };
    run.report.internalError = err;
    return false;
  }
  const result: EntryResult = outcome.status === 'stored'
    ? { name, status: 'stored', imageId: outcome.imageId, contentHash: image.contentHash }
    : duplicate(name, image.contentHash, outcome.imageId, `${label}: identical to an image already in the library; not stored again`);
  run.seen.set(image.contentHash, result);
  add(run, result);
  return true;
}

function duplicate(name: string, contentHash: string, imageId: string, message: string): EntryResult {
  return { name, status: 'duplicate', imageId, contentHash, message };
}

function interrupt(run: Run, processed: number, total: number): void {
  run.report.error = {
    code: 'INTERRUPTED',
    message: `The upload was interrupted after ${processed} of ${total} entries. ` +
      `${run.report.counts.stored} image(s) listed as stored were saved completely; nothing else was stored.`,
  };
}

function add(run: Run, result: EntryResult): void {
  run.report.results.push(result);
  run.report.counts[result.status] += 1;
}

const UPLOAD_CODES: ReadonlySet<string> = new Set<UploadErrorCode>([
  'UNSUPPORTED_ARCHIVE',
  'CORRUPT_ARCHIVE',
  'TOO_MANY_ENTRIES',
  'ARCHIVE_TOO_LARGE',
  'STORE_FAILED',
  'INTERRUPTED',
]);

function isUploadCode(code: IngestErrorCode): code is UploadErrorCode {
  return UPLOAD_CODES.has(code);
}

function emptyCounts(): Record<EntryStatus, number> {
  return { stored: 0, duplicate: 0, rejected: 0, skipped: 0 };
}
