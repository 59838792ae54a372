import type { BlobStorage } from './blob-storage';
import { parseBlobKey } from './keys';

export interface OrphanScanOptions {
  /** Given a batch of content hashes, returns those the database knows about. */
  knownHashes(hashes: string[]): Promise<Set<string>>;
  /** Blobs younger than this are never reported: an upload may be between "blob written" and "row committed". */
  minAgeMs?: number;
  batchSize?: number;
  now?: number;
}

const DEFAULT_MIN_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Yields keys under images/ and thumbs/ whose content hash has no database row
 * (plus any unrecognised key there). Memory is bounded by `batchSize`.
 * The caller decides whether to delete them.
 */
export async function* findOrphanBlobs(storage: BlobStorage, options: OrphanScanOptions): AsyncGenerator<string> {
  const minAge = options.minAgeMs ?? DEFAULT_MIN_AGE_MS;
  const batchSize = options.batchSize ?? 500;
  const now = options.now ?? Date.now();
  for (const prefix of ['images/', 'thumbs/']) {
    let batch: { key: string; hash: string }[] = [];
    const flush = async function* () {
      const known = await options.knownHashes([...new Set(batch.map((b) => b.hash))]);
      for (const b of batch) if (!known.has(b.hash)) yield b.key;
      batch = [];
    };
    for await (const key of storage.list(prefix)) {
      const info = await storage.stat(key);
      if (!info || now - info.modifiedAt.getTime() < minAge) continue;
      const parsed = parseBlobKey(key);
      if (!parsed) {
        yield key;
        continue;
      }
      batch.push({ key, hash: parsed.hash });
      if (batch.length >= batchSize) yield* flush();
    }
    if (batch.length > 0) yield* flush();
  }
}
