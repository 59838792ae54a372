import type { Readable } from 'node:stream';

export interface BlobInfo {
  size: number;
  modifiedAt: Date;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start?: number;
  /** Last byte, inclusive (like HTTP Range). */
  end?: number;
}

/**
 * Where image bytes live. Keys are validated strings (see keys.ts), never
 * derived from user-supplied names. Implementations: LocalStorage (a
 * directory); an object store can implement the same interface.
 */
export interface BlobStorage {
  /** Stores atomically: readers see the old object, the complete new one, or nothing. */
  put(key: string, data: Uint8Array): Promise<void>;
  /**
   * Stores several blobs (each atomically, like put); when it resolves, ALL of them are durable.
   * One durability step for the batch instead of one per blob: for bulk imports.
   */
  putMany(items: { key: string; data: Uint8Array }[]): Promise<void>;
  /** Moves a finished local file in as `key` (atomically; the file is gone afterwards). For large blobs. */
  putFile(key: string, file: string): Promise<void>;
  /** A fresh local path where a large blob can be written before putFile. */
  tempPath(suffix?: string): Promise<string>;
  /** Throws BlobNotFoundError when absent. */
  get(key: string): Promise<Buffer>;
  /** Throws BlobNotFoundError when absent (before any byte is streamed). */
  stream(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<BlobInfo | null>;
  exists(key: string): Promise<boolean>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key starting with `prefix` ('' for all), in sorted order within each folder. */
  list(prefix: string): AsyncIterable<string>;
}

export class BlobNotFoundError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`No stored object with key ${key}`);
    this.name = 'BlobNotFoundError';
    this.key = key;
  }
}
