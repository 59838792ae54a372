import fs, { createWriteStream } from 'node:fs';
import { ZipFile } from 'yazl';

const MAX_BUFFERED = 8 * 1024 * 1024;

/**
 * Test hook: FACET_TEST_DISK_FULL_AFTER_BYTES=N makes writes to the zip fail with ENOSPC once N
 * bytes are written, as a full disk would (tests cannot fill a real disk).
 */
function fileSystemFor(env: NodeJS.ProcessEnv = process.env): Parameters<typeof createWriteStream>[1] {
  const limit = Number(env.FACET_TEST_DISK_FULL_AFTER_BYTES ?? 0);
  if (!(limit > 0)) return {};
  let written = 0;
  return {
    fs: {
      open: fs.open,
      close: fs.close,
      write(fd: number, buffer: Buffer, offset: number, length: number, position: number | null, callback: (e: Error | null, n?: number) => void) {
        if (written + length > limit) {
          callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' }));
          return;
        }
        written += length;
        fs.write(fd, buffer, offset, length, position, callback);
      },
    },
  } as Parameters<typeof createWriteStream>[1];
}

/**
 * A zip written to a local file with bounded memory: add() waits while more than 8 MiB are
 * queued but not yet on disk. Write errors (a full disk) surface on the next add() or close().
 */
export class StreamingZip {
  readonly #zip = new ZipFile();
  readonly #out;
  #queued = 0;
  #error: Error | null = null;
  readonly #finished: Promise<void>;

  constructor(path: string) {
    this.#out = createWriteStream(path, { mode: 0o600, ...(fileSystemFor() as object) });
    this.#zip.outputStream.pipe(this.#out);
    this.#finished = new Promise((resolve, reject) => {
      this.#out.on('close', resolve);
      this.#out.on('error', (e) => {
        this.#error = e;
        reject(e);
      });
    });
    this.#finished.catch(() => undefined);
  }

  async add(name: string, data: Buffer, mtime: Date): Promise<void> {
    if (this.#error) throw this.#error;
    this.#zip.addBuffer(data, name, { compress: false, mtime });
    this.#queued += data.length;
    while (this.#queued - this.#out.bytesWritten > MAX_BUFFERED) {
      if (this.#error) throw this.#error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  addFile(name: string, path: string, mtime: Date): void {
    this.#zip.addFile(path, name, { compress: true, mtime });
  }

  async close(): Promise<number> {
    this.#zip.end();
    await this.#finished;
    if (this.#error) throw this.#error;
    return this.#out.bytesWritten;
  }

  /** Abandons the zip (the caller deletes the file). */
  destroy(): void {
    this.#out.destroy();
  }
}
