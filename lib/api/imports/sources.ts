import { closeSync, fstatSync, openSync, readSync, type Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes, IngestError } from '@/lib/server/ingest/errors';
import type { IngestLimits } from '@/lib/server/ingest/limits';
import { cleanName } from '@/lib/server/ingest/names';
import { sniffFile } from '@/lib/server/ingest/sniff';
import { readZipEntries } from '@/lib/server/ingest/zip-reader';

/**
 * Where an import reads files from. Entries come one at a time in a stable order; a file's bytes
 * are read only when `open()` is called, which must happen (if at all) before the next entry is
 * requested (a zip is read front to back). `name` is the path inside the folder or zip, kept as
 * data only.
 */
export type ImportEntry =
  | { kind: 'file'; name: string; open(): Promise<Buffer> }
  | { kind: 'skipped'; name: string; reason: string }
  | { kind: 'rejected'; name: string; reason: string };

export interface ImportSource {
  /** What is being imported, for messages (a folder, a zip or a file name). */
  label: string;
  /** onTotal is called once, before the first entry, with the number of entries to expect. */
  entries(hooks?: { onTotal?(total: number): void }): AsyncIterable<ImportEntry>;
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Files up to this size are read synchronously: four quick syscalls instead of four thread-pool round trips. */
const SYNC_READ_BYTES = 1024 * 1024;

function tooLarge(size: number, limits: IngestLimits): IngestError {
  return new IngestError('TOO_LARGE', `the file is ${formatBytes(size)}; the limit is ${formatBytes(limits.maxUploadBytes)}`);
}

/** Reads a whole file, refusing (without reading) one larger than the per-image limit. */
async function readLimited(file: string, limits: IngestLimits): Promise<Buffer> {
  const fd = openSync(file, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
    if (size > limits.maxUploadBytes) throw tooLarge(size, limits);
    if (size <= SYNC_READ_BYTES) {
      const buf = Buffer.allocUnsafe(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, buf, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    }
  } finally {
    closeSync(fd);
  }
  const data = await readFile(file);
  if (data.length > limits.maxUploadBytes) throw tooLarge(data.length, limits);
  return data;
}

/**
 * A folder, walked recursively in name order (sub-folders where they sort). Only one folder's
 * listing is held at a time per level and each file is read when opened, so memory does not grow
 * with the number of files. Symbolic links are not followed.
 */
export function directorySource(root: string, limits: IngestLimits): ImportSource {
  const top = path.resolve(root);
  async function listing(dir: string): Promise<Dirent[]> {
    return (await readdir(dir, { withFileTypes: true })).sort(byName);
  }
  async function count(dir: string): Promise<number> {
    let n = 0;
    for (const d of await listing(dir)) n += d.isDirectory() ? await count(path.join(dir, d.name)) : 1;
    return n;
  }
  async function* walk(dir: string, rel: string): AsyncGenerator<ImportEntry> {
    for (const d of await listing(dir)) {
      const full = path.join(dir, d.name);
      const name = cleanName(rel ? `${rel}/${d.name}` : d.name);
      if (d.isDirectory()) yield* walk(full, name);
      else if (d.isFile()) yield { kind: 'file', name, open: () => readLimited(full, limits) };
      else if (d.isSymbolicLink()) yield { kind: 'skipped', name, reason: 'symbolic link (not followed)' };
      else yield { kind: 'skipped', name, reason: 'not a regular file' };
    }
  }
  return {
    label: top,
    async *entries(hooks) {
      hooks?.onTotal?.(await count(top));
      yield* walk(top, '');
    },
  };
}

/** A zip, through the safe reader (zip-slip, bombs, nested archives, symlinks are refused per entry). */
export function zipSource(zipPath: string, limits: IngestLimits, label = path.basename(zipPath)): ImportSource {
  return {
    label,
    async *entries(hooks) {
      const onSummary = (s: { entryCount: number }) => hooks?.onTotal?.(s.entryCount);
      for await (const entry of readZipEntries(zipPath, limits, { onSummary })) {
        if (entry.kind === 'file') yield { kind: 'file', name: entry.name, open: () => entry.open() };
        else yield { kind: entry.kind, name: entry.name, reason: entry.message };
      }
    },
  };
}

/** One file on disk, imported under `name` (e.g. the name it was uploaded with). */
export function singleFileSource(file: string, name: string, limits: IngestLimits): ImportSource {
  const clean = cleanName(name);
  return {
    label: clean,
    async *entries(hooks) {
      hooks?.onTotal?.(1);
      yield { kind: 'file', name: clean, open: () => readLimited(file, limits) };
    },
  };
}

/** A folder, a .zip (by content) or a single image, for the command line. */
export async function sourceForPath(target: string, limits: IngestLimits): Promise<ImportSource> {
  const info = await stat(target);
  if (info.isDirectory()) return directorySource(target, limits);
  const sniffed = await sniffFile(target);
  if (sniffed.kind === 'zip') return zipSource(target, limits, path.resolve(target));
  if (sniffed.kind === 'archive') {
    throw new IngestError('UNSUPPORTED_ARCHIVE', `${target} is ${sniffed.label}; only folders and .zip archives can be imported`);
  }
  return singleFileSource(target, path.basename(target), limits);
}
