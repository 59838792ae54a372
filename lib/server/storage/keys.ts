/**
 * Blob keys are the only way to name stored objects. They are validated so a
 * key can never reach outside the storage root: lower-case ASCII, '/' as the
 * only separator, no empty, '.' or '..' segments, no segment starting with '.'
 * (which also keeps the local backend's temp folder unreachable).
 */
const KEY_PATTERN = /^[a-z0-9][a-z0-9/._-]*$/;
const MAX_KEY_LENGTH = 512;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

export type ImageExt = 'jpg' | 'png';

export class InvalidKeyError extends Error {
  constructor(key: string, reason: string) {
    super(`Invalid storage key ${JSON.stringify(key.slice(0, 100))}: ${reason}`);
    this.name = 'InvalidKeyError';
  }
}

/** Returns null when the key is acceptable, otherwise the reason. */
export function keyProblem(key: string): string | null {
  if (typeof key !== 'string' || key.length === 0) return 'empty';
  if (key.length > MAX_KEY_LENGTH) return `longer than ${MAX_KEY_LENGTH} characters`;
  if (!KEY_PATTERN.test(key)) return 'only a-z, 0-9, "/", ".", "_" and "-" are allowed, starting with a letter or digit';
  for (const segment of key.split('/')) {
    if (segment === '') return 'empty path segment';
    if (segment.startsWith('.')) return 'path segments may not start with "."';
  }
  return null;
}

export function assertValidKey(key: string): void {
  const problem = keyProblem(key);
  if (problem) throw new InvalidKeyError(key, problem);
}

/** A key prefix for listing: '' (everything) or a valid key, optionally ending in '/'. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

function assertHash(hash: string): void {
  if (!HASH_PATTERN.test(hash)) throw new InvalidKeyError(hash, 'not a lower-case sha256 hex digest');
}

/** images/ab/cd/<hash>.<ext> */
export function imageKey(hash: string, ext: ImageExt): string {
  assertHash(hash);
  if (ext !== 'jpg' && ext !== 'png') throw new InvalidKeyError(ext, 'unsupported image extension');
  return `images/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}.${ext}`;
}

/** thumbs/ab/<hash>.jpg */
export function thumbKey(hash: string): string {
  assertHash(hash);
  return `thumbs/${hash.slice(0, 2)}/${hash}.jpg`;
}

export type ParsedBlobKey = { kind: 'image'; hash: string; ext: ImageExt } | { kind: 'thumb'; hash: string };

/** Inverse of imageKey/thumbKey (null for anything else): lets an orphan sweep map files back to hashes. */
export function parseBlobKey(key: string): ParsedBlobKey | null {
  const image = /^images\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})\.(jpg|png)$/.exec(key);
  if (image) {
    const [, a = '', b = '', hash = '', ext] = image;
    if (hash.startsWith(a + b) && (ext === 'jpg' || ext === 'png')) return { kind: 'image', hash, ext };
  }
  const thumb = /^thumbs\/([0-9a-f]{2})\/([0-9a-f]{64})\.jpg$/.exec(key);
  if (thumb) {
    const [, a = '', hash = ''] = thumb;
    if (hash.startsWith(a)) return { kind: 'thumb', hash };
  }
  return null;
}
