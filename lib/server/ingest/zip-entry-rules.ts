import { formatBytes, type ImageErrorCode, type SkipCode, type ZipEntryErrorCode } from './errors';
import type { IngestLimits } from './limits';
import { baseName } from './names';

/** What the central directory says about one entry (nothing here is trusted until checked). */
export interface EntryFacts {
  /** Decoded name (Unicode path field honoured, backslashes turned into '/'). */
  name: string;
  /** The raw name bytes as latin-1: what a naive extractor would use. */
  rawName: string;
  flags: number;
  compressionMethod: number;
  compressedSize: number;
  uncompressedSize: number;
  externalAttributes: number;
}

export type EntryVerdict =
  | { kind: 'accept' }
  | { kind: 'rejected'; code: ZipEntryErrorCode | ImageErrorCode; message: string }
  | { kind: 'skipped'; code: SkipCode; message: string };

/** Below this size the compression ratio is harmless (tiny, repetitive files compress extremely well). */
export const RATIO_CHECK_MIN_BYTES = 1024 * 1024;

const NESTED_ARCHIVE_EXT = /\.(zip|zipx|7z|rar|tar|tgz|tbz2?|txz|gz|bz2|xz|zst|lz|lzma|z|cab|iso|jar|war|apk|cbz|cbr)$/i;
const JUNK_NAMES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini']);
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Why a path could escape the extraction folder, or null when it cannot. */
export function pathEscape(name: string): string | null {
  const p = name.replace(/\\/g, '/');
  if (p.includes('\0')) return 'the name contains a NUL character';
  if (p.startsWith('/')) return 'absolute path';
  if (/^[a-zA-Z]:/.test(p)) return 'absolute Windows drive path';
  if (p.split('/').includes('..')) return '".." path segment';
  return null;
}

export function isSystemJunk(name: string): boolean {
  const segments = name.split('/');
  if (segments.includes('__MACOSX')) return true;
  const base = baseName(name);
  return base.startsWith('._') || JUNK_NAMES.has(base.toLowerCase());
}

/** Decides from the central directory alone, before any byte is inflated. */
export function judgeEntry(e: EntryFacts, limits: IngestLimits): EntryVerdict {
  const escape = pathEscape(e.name) ?? pathEscape(e.rawName);
  if (escape) return rejected('UNSAFE_PATH', `path escapes the archive (zip-slip: ${escape})`);
  if (isSystemJunk(e.name)) return { kind: 'skipped', code: 'SYSTEM_FILE', message: 'operating-system metadata file' };
  if (e.name.endsWith('/')) return { kind: 'skipped', code: 'DIRECTORY', message: 'folder' };
  if (((e.externalAttributes >>> 16) & S_IFMT) === S_IFLNK) {
    return rejected('SYMLINK', 'symbolic links are not allowed in uploads');
  }
  if (e.flags & 0x1) return rejected('ENCRYPTED', 'the entry is password-protected and cannot be read');
  if (e.compressionMethod !== 0 && e.compressionMethod !== 8) {
    return rejected(
      'UNSUPPORTED_COMPRESSION',
      `the entry uses compression method ${e.compressionMethod}, which is not supported (re-create the zip with standard Deflate)`,
    );
  }
  if (NESTED_ARCHIVE_EXT.test(e.name)) {
    return rejected('NESTED_ARCHIVE', 'archives inside the archive are not opened (upload it separately)');
  }
  if (e.uncompressedSize === 0) return rejected('EMPTY_FILE', 'the file is empty');
  const ratio = e.uncompressedSize / Math.max(e.compressedSize, 1);
  if (e.uncompressedSize > RATIO_CHECK_MIN_BYTES && ratio > limits.maxZipRatio) {
    return rejected(
      'ZIP_BOMB',
      `it would expand ${Math.round(ratio)}× (${formatBytes(e.compressedSize)} to ${formatBytes(e.uncompressedSize)}); ` +
        `the limit is ${limits.maxZipRatio}× (possible zip bomb)`,
    );
  }
  if (e.uncompressedSize > limits.maxUploadBytes) {
    return rejected(
      'TOO_LARGE',
      `the file is ${formatBytes(e.uncompressedSize)}; the limit is ${formatBytes(limits.maxUploadBytes)}`,
    );
  }
  return { kind: 'accept' };
}

function rejected(code: ZipEntryErrorCode | ImageErrorCode, message: string): EntryVerdict {
  return { kind: 'rejected', code, message };
}
