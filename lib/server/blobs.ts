import { config } from './config';
import { LocalStorage } from './storage/storage';

let storage: LocalStorage | undefined;

/** The configured blob storage (a local directory; an object store can take its place). */
export function blobs(): LocalStorage {
  storage ??= new LocalStorage(config().storageDir);
  return storage;
}
