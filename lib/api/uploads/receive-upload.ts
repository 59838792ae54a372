import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { config } from '@/lib/server/config';
import { HttpError } from '@/lib/server/http/errors';

export function uploadTempDir(): string {
  return path.join(config().dataDir, 'tmp', 'uploads');
}

/**
 * Streams a request body to a private temp file (constant memory), refusing it as soon as it
 * passes `maxBytes`. The caller removes the file; a dropped connection removes it here.
 */
export async function receiveToTempFile(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) throw new HttpError(400, 'EMPTY_BODY', 'The upload had no content');
  const dir = uploadTempDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${randomUUID()}.part`);
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > maxBytes) done(new HttpError(413, 'TOO_LARGE', `The upload is larger than the ${Math.round(maxBytes / 2 ** 20)} MiB limit`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), limit, createWriteStream(file, { mode: 0o600 }));
  } catch (error) {
    await rm(file, { force: true });
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'INTERRUPTED', 'The upload was interrupted before it finished; nothing was stored');
  }
  if (received === 0) {
    await rm(file, { force: true });
    throw new HttpError(400, 'EMPTY_BODY', 'The upload had no content');
  }
  return file;
}
