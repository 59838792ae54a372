import { LocalStorage } from './local-storage';

export {
  BlobNotFoundError,
  type BlobInfo,
  type BlobStorage,
  type ByteRange,
} from './blob-storage';
export { LocalStorage } from './local-storage';
export {
  assertValidKey,
  imageKey,
  InvalidKeyError,
  keyProblem,
  parseBlobKey,
  thumbKey,
  type ImageExt,
  type ParsedBlobKey,
} from './keys';

export const DEFAULT_STORAGE_DIR = './data/storage';

/** The configured storage: FACET_STORAGE_DIR, default ./data/storage (relative to the working directory). */
export function storageFromEnv(env: Record<string, string | undefined> = process.env): LocalStorage {
  const dir = env.FACET_STORAGE_DIR?.trim();
  return new LocalStorage(dir ? dir : DEFAULT_STORAGE_DIR);
}
