import { stat } from 'node:fs/promises';
import type { ZipFile } from 'yauzl';
import {
  formatBytes,
  IngestError,
  isIngestError,
  type ImageErrorCode,
  type SkipCode,
  type ZipEntryErrorCode,
} from './errors';
import { DEFAULT_LIMITS, type IngestLimits } from './limits';
import { cleanName } from './names';
import { readEntryData } from './entry-data';
import { judgeEntry } from './zip-entry-rules';
import { decodeEntryName, eachEntry, openZip, type OpenedZip, type ZipEntryRecord } from './yauzl-promises';

export interface ZipFileEntry {
  kind: 'file';
  index: number;
  /** The entry path, kept as data (control characters replaced); never used as a file path. */
  name: string;
  /** Declared uncompressed size (enforced while reading). */
  size: number;
  /**
   * Reads the entry into memory, stopping early if it exceeds the per-image
   * limit or turns out (by magic bytes) to be an archive or a non-image.
   * Rejects with IngestError. Must be called before advancing the iterator.
   */
  open(): Promise<Buffer>;
}

export interface ZipRejectedEntry {
  kind: 'rejected';
  index: number;
  name: string;
  code: ZipEntryErrorCode | ImageErrorCode;
  message: string;
}

export interface ZipSkippedEntry {
  kind: 'skipped';
  index: number;
  name: string;
  code: SkipCode;
  message: string;
}

export type ZipEntry = ZipFileEntry | ZipRejectedEntry | ZipSkippedEntry;

export interface ZipSummary {
  entryCount: number;
  fileBytes: number;
  totalUncompressedBytes: number;
}

function corruptArchive(err: unknown): IngestError {
  const detail = err instanceof Error ? err.message : String(err);
  return new IngestError('CORRUPT_ARCHIVE', `The zip file is damaged or not a zip file (${detail}). Nothing was stored.`);
}

/**
 * Reads only the central directory and refuses archives that are too big,
 * have too many entries, overlapping entries or an unreadable directory.
 * Throws IngestError; returns a summary when processing may start.
 */
export async function inspectZip(zipPath: string, limits: IngestLimits = DEFAULT_LIMITS): Promise<ZipSummary> {
  const fileBytes = (await stat(zipPath)).size;
  if (fileBytes > limits.maxZipBytes) {
    throw new IngestError(
      'ARCHIVE_TOO_LARGE',
      `The zip file is ${formatBytes(fileBytes)}; the limit is ${formatBytes(limits.maxZipBytes)}. Nothing was stored.`,
    );
  }
  let zip: ZipFile;
  try {
    ({ zip } = await openZip(zipPath));
  } catch (err) {
    throw corruptArchive(err);
  }
  try {
    if (zip.entryCount > limits.maxZipEntries) {
      throw new IngestError(
        'TOO_MANY_ENTRIES',
        `The zip file has ${zip.entryCount.toLocaleString('en-US')} entries; the limit is ` +
          `${limits.maxZipEntries.toLocaleString('en-US')}. Split it into smaller archives. Nothing was stored.`,
      );
    }
    let total = 0;
    const offsets = new Set<number>();
    try {
      for await (const entry of eachEntry(zip)) {
        total += entry.uncompressedSize;
        if (total > limits.maxZipBytes) {
          throw new IngestError(
            'ARCHIVE_TOO_LARGE',
            `The zip file would expand to more than ${formatBytes(limits.maxZipBytes)} (the limit). Nothing was stored.`,
          );
        }
        if (offsets.has(entry.relativeOffsetOfLocalHeader)) {
          throw new IngestError(
            'CORRUPT_ARCHIVE',
            'The zip file has entries that share the same data (a zip-bomb technique). Nothing was stored.',
          );
        }
        offsets.add(entry.relativeOffsetOfLocalHeader);
      }
    } catch (err) {
      throw isIngestError(err) ? err : corruptArchive(err);
    }
    return { entryCount: zip.entryCount, fileBytes, totalUncompressedBytes: total };
  } finally {
    zip.close();
  }
}

/**
 * Streams a zip one entry at a time. Archive-level problems throw IngestError
 * before the first entry is yielded; entry-level problems are yielded as
 * 'rejected'/'skipped' entries. Nothing is ever written to disk.
 */
export async function* readZipEntries(
  zipPath: string,
  limits: IngestLimits = DEFAULT_LIMITS,
  hooks: { onSummary?(summary: ZipSummary): void } = {},
): AsyncGenerator<ZipEntry> {
  const summary = await inspectZip(zipPath, limits); // throws before anything is yielded
  hooks.onSummary?.(summary);
  let opened: OpenedZip;
  try {
    opened = await openZip(zipPath);
  } catch (err) {
    throw corruptArchive(err);
  }
  let index = -1;
  const entries = eachEntry(opened.zip);
  try {
    while (true) {
      let next: IteratorResult<ZipEntryRecord>;
      try {
        next = await entries.next();
      } catch (err) {
        throw corruptArchive(err);
      }
      if (next.done) return;
      index += 1;
      yield describeEntry(opened, next.value, index, limits, (i) => i === index);
    }
  } finally {
    index = -1; // no entry can be opened any more
    await entries.return?.();
    opened.zip.close();
  }
}

function describeEntry(
  opened: OpenedZip,
  entry: ZipEntryRecord,
  index: number,
  limits: IngestLimits,
  isCurrent: (i: number) => boolean,
): ZipEntry {
  const decoded = decodeEntryName(entry);
  const name = cleanName(decoded);
  const verdict = judgeEntry(
    {
      name: decoded,
      rawName: entry.fileNameRaw.toString('latin1'),
      flags: entry.generalPurposeBitFlag,
      compressionMethod: entry.compressionMethod,
      compressedSize: entry.compressedSize,
      uncompressedSize: entry.uncompressedSize,
      externalAttributes: entry.externalFileAttributes,
    },
    limits,
  );
  if (verdict.kind === 'rejected') return { kind: 'rejected', index, name, code: verdict.code, message: verdict.message };
  if (verdict.kind === 'skipped') return { kind: 'skipped', index, name, code: verdict.code, message: verdict.message };
  return {
    kind: 'file',
    index,
    name,
    size: entry.uncompressedSize,
    open: async () => {
      if (!isCurrent(index)) throw new Error('A zip entry can only be opened before moving on to the next entry');
      return readEntryData(opened, entry, limits);
    },
  };
}
