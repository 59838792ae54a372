/**
 * Error codes shared by the ingest modules. Every rejection carries one code
 * (machine-readable, stable) and one human sentence for the curator.
 */
export type ImageErrorCode =
  | 'EMPTY_FILE'
  | 'NOT_AN_IMAGE'
  | 'UNSUPPORTED_TYPE'
  | 'TOO_LARGE'
  | 'TOO_MANY_PIXELS'
  | 'CORRUPT';

/** Problems with one entry of a zip (the rest of the archive is still processed). */
export type ZipEntryErrorCode =
  | 'UNSAFE_PATH'
  | 'NESTED_ARCHIVE'
  | 'SYMLINK'
  | 'ENCRYPTED'
  | 'UNSUPPORTED_COMPRESSION'
  | 'ZIP_BOMB';

/** Entries that are ignored on purpose (not an error). */
export type SkipCode = 'DIRECTORY' | 'SYSTEM_FILE';

/** Problems with the upload as a whole: nothing from it is stored. */
export type UploadErrorCode =
  | 'UNSUPPORTED_ARCHIVE'
  | 'CORRUPT_ARCHIVE'
  | 'TOO_MANY_ENTRIES'
  | 'ARCHIVE_TOO_LARGE'
  | 'STORE_FAILED'
  | 'INTERRUPTED';

export type IngestErrorCode = ImageErrorCode | ZipEntryErrorCode | UploadErrorCode;

export class IngestError extends Error {
  readonly code: IngestErrorCode;
  constructor(code: IngestErrorCode, message: string) {
    super(message);
    this.name = 'IngestError';
    this.code = code;
  }
}

export function isIngestError(err: unknown): err is IngestError {
  return err instanceof IngestError;
}

/** Formats bytes for messages: 52428800 -> "50 MiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0).replace(/\.0$/, '');
  return `${rounded} ${units[unit]}`;
}

export function formatMegapixels(pixels: number): string {
  const mp = pixels / 1_000_000;
  return `${mp >= 10 ? Math.round(mp) : Number(mp.toFixed(1))} megapixels`;
}
