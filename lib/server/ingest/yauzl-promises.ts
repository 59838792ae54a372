import fs from 'node:fs';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { CachedFileReader } from './cached-file-reader';

/**
 * Typed promise wrappers for the parts of yauzl 3.4 that @types/yauzl (2.x)
 * does not describe. Files are opened with decodeStrings: false so that one
 * hostile name is reported for that entry instead of failing the whole archive
 * (yauzl's own name validation is fatal); names are decoded and checked by us.
 */
export interface ZipEntryRecord extends yauzl.Entry {
  fileNameRaw: Buffer;
  extraFields: { id: number; data: Buffer }[];
}

interface YauzlExtras {
  getFileNameLowLevel(flags: number, raw: Buffer, extra: { id: number; data: Buffer }[], strict: boolean): string;
}

interface EachEntry {
  eachEntry(): AsyncIterableIterator<ZipEntryRecord>;
}

interface LocalHeaderReader {
  readLocalFileHeader(
    entry: ZipEntryRecord,
    options: { minimal: true },
    callback: (err: Error | null, header?: { fileDataStart: number }) => void,
  ): void;
}

export interface OpenedZip {
  zip: yauzl.ZipFile;
  reader: CachedFileReader;
}

const OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: true,
  decodeStrings: false,
  validateEntrySizes: true,
  strictFileNames: false,
};

/** Opens a zip through a block-cached reader. The file closes when the ZipFile closes. */
export async function openZip(zipPath: string): Promise<OpenedZip> {
  // A raw descriptor, not a FileHandle (which would close itself when garbage-collected).
  const fd = await promisify(fs.open)(zipPath, 'r');
  try {
    const { size } = await promisify(fs.fstat)(fd);
    const reader = new CachedFileReader(fd, size);
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.fromRandomAccessReader(reader, size, OPTIONS, (err, z) =>
        err || !z ? reject(err ?? new Error('zip could not be opened')) : resolve(z),
      );
    });
    return { zip, reader };
  } catch (err) {
    fs.close(fd, () => undefined);
    throw err;
  }
}

/** One entry at a time (lazyEntries); closing happens when iteration ends or is abandoned. */
export function eachEntry(zip: yauzl.ZipFile): AsyncIterableIterator<ZipEntryRecord> {
  return (zip as unknown as EachEntry).eachEntry();
}

export function openEntryStream(zip: yauzl.ZipFile, entry: ZipEntryRecord): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream)));
  });
}

/** Entry name as yauzl would decode it (UTF-8/CP437, Info-ZIP Unicode path, '\\' -> '/'). */
export function decodeEntryName(entry: ZipEntryRecord): string {
  const extras = yauzl as unknown as YauzlExtras;
  return extras.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
}

/** Offset of the entry's data in the zip file (reads and checks its local header). */
export function fileDataStart(zip: yauzl.ZipFile, entry: ZipEntryRecord): Promise<number> {
  return new Promise((resolve, reject) => {
    (zip as unknown as LocalHeaderReader).readLocalFileHeader(entry, { minimal: true }, (err, header) =>
      err || !header ? reject(err ?? new Error('no local header')) : resolve(header.fileDataStart),
    );
  });
}
