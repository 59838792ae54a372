import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BatchWriter } from './batch-writer';
import { assertValidKey, assertValidPrefix } from './keys';
import { BlobNotFoundError, type BlobInfo, type BlobStorage, type ByteRange } from './blob-storage';

const TEMP_DIR = '.tmp';
const DEFAULT_STALE_TEMP_MS = 60 * 60 * 1000;

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 'ENOENT';
}

/** Blob storage in a local directory. Writes go to <root>/.tmp and are renamed into place. */
export class LocalStorage implements BlobStorage {
  readonly root: string;
  private readonly tempDir: string;
  private batchWriter: BatchWriter | undefined;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.tempDir = path.join(this.root, TEMP_DIR);
  }

  /** Absolute file path of a key (for tests and diagnostics; callers should not need it). */
  pathFor(key: string): string {
    assertValidKey(key);
    const full = path.resolve(this.root, ...key.split('/'));
    // Belt and braces: the key rules already make escaping impossible.
    const relative = path.relative(this.root, full);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new Error(`Storage key escapes the root: ${key}`);
    }
    return full;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const target = this.pathFor(key);
    await mkdir(path.dirname(target), { recursive: true });
    await mkdir(this.tempDir, { recursive: true });
    const temp = path.join(this.tempDir, `${randomUUID()}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(data);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await syncDirectory(path.dirname(target));
  }

  /** See BlobStorage.putMany: written on a worker thread, one syncfs for the batch. */
  async putMany(items: { key: string; data: Uint8Array }[]): Promise<void> {
    const files = items.map((item) => ({ target: this.pathFor(item.key), data: item.data }));
    this.batchWriter ??= new BatchWriter();
    await this.batchWriter.write(this.tempDir, files);
  }

  /** Stops the batch writer's thread (if one was started). */
  async close(): Promise<void> {
    await this.batchWriter?.close();
    this.batchWriter = undefined;
  }

  /** A fresh path in the storage's temp folder, for writers that stream a large blob before putFile. */
  async tempPath(suffix = '.tmp'): Promise<string> {
    await mkdir(this.tempDir, { recursive: true });
    return path.join(this.tempDir, `${randomUUID()}${suffix}`);
  }

  async putFile(key: string, file: string): Promise<void> {
    const target = this.pathFor(key);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(file, target);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EXDEV') throw err;
      // Another file system: copy next to the target first, so the final step is still a rename.
      const temp = await this.tempPath();
      try {
        await copyFile(file, temp);
        await rename(temp, target);
      } finally {
        await unlink(temp).catch(() => undefined);
      }
      await unlink(file);
    }
    await syncDirectory(path.dirname(target));
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathFor(key));
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async stream(key: string, range: ByteRange = {}): Promise<Readable> {
    try {
      const handle = await open(this.pathFor(key), 'r');
      return handle.createReadStream({ start: range.start, end: range.end, autoClose: true });
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async stat(key: string): Promise<BlobInfo | null> {
    try {
      const s = await stat(this.pathFor(key));
      return s.isFile() ? { size: s.size, modifiedAt: s.mtime } : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathFor(key));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async *list(prefix: string): AsyncGenerator<string> {
    assertValidPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const startDir = slash === -1 ? '' : prefix.slice(0, slash);
    for await (const key of this.walk(startDir)) {
      if (key.startsWith(prefix)) yield key;
    }
  }

  private async *walk(dirKey: string): AsyncGenerator<string> {
    let names: { name: string; isDir: boolean; isFile: boolean }[];
    try {
      const dirents = await readdir(dirKey ? this.pathFor(dirKey) : this.root, { withFileTypes: true });
      names = dirents.map((d) => ({ name: d.name, isDir: d.isDirectory(), isFile: d.isFile() }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of names) {
      if (entry.name.startsWith('.')) continue; // temp folder and anything hidden
      const key = dirKey ? `${dirKey}/${entry.name}` : entry.name;
      if (entry.isDir) yield* this.walk(key);
      else if (entry.isFile) yield key;
    }
  }

  /** Removes temp files left by interrupted writes. Returns how many were removed. */
  async sweepTemp(olderThanMs: number = DEFAULT_STALE_TEMP_MS, now: number = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.tempDir);
    } catch (err) {
      if (isNotFound(err)) return 0;
      throw err;
    }
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.tempDir, name);
      try {
        const s = await stat(file);
        if (s.isFile() && now - s.mtimeMs >= olderThanMs) {
          await unlink(file);
          removed += 1;
        }
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return removed;
  }
}

/** Makes a rename durable (best effort: some platforms cannot fsync a directory). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (e.g. Windows); the data itself was already synced.
  }
}
