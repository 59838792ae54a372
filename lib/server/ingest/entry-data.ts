import zlib from 'node:zlib';
import { formatBytes, IngestError, isIngestError } from './errors';
import type { IngestLimits } from './limits';
import { rejectionForSniff } from './normalize-image';
import { sniff, SNIFF_BYTES } from './sniff';
import { fileDataStart, openEntryStream, type OpenedZip, type ZipEntryRecord } from './yauzl-promises';

/**
 * Entries up to this size are read with one file read and inflated in one
 * synchronous call (a few milliseconds at most): creating a zlib stream per
 * entry would dominate the time for archives of thousands of small files.
 */
export const SMALL_ENTRY_BYTES = 1024 * 1024;

const crc32: ((data: Uint8Array, value?: number) => number) | undefined =
  typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

function corrupt(detail: string): IngestError {
  return new IngestError('CORRUPT', `the compressed data is damaged and could not be extracted (${detail})`);
}

/** Throws IngestError if the leading bytes are an archive or not an accepted image. */
export function checkHead(head: Buffer): void {
  const sniffed = sniff(head);
  if (sniffed.kind === 'zip' || sniffed.kind === 'archive') {
    const label = sniffed.kind === 'zip' ? 'a zip archive' : sniffed.label;
    throw new IngestError('NESTED_ARCHIVE', `the content is ${label}; archives inside the archive are not opened (upload it separately)`);
  }
  const rejection = rejectionForSniff(sniffed);
  if (rejection) throw new IngestError(rejection.code, rejection.message);
}

function checkComplete(entry: ZipEntryRecord, data: Buffer, crc: number | undefined): void {
  if (data.length !== entry.uncompressedSize) {
    throw corrupt(`${data.length} bytes instead of the ${entry.uncompressedSize} the archive lists`);
  }
  if (crc !== undefined && crc >>> 0 !== entry.crc32 >>> 0) throw corrupt('checksum mismatch');
}

/**
 * Reads one entry into memory with every size bounded by the limits (never
 * trusting the archive's numbers), checks size and CRC, and sniffs the content.
 * Rejects with IngestError only.
 */
export async function readEntryData(opened: OpenedZip, entry: ZipEntryRecord, limits: IngestLimits): Promise<Buffer> {
  try {
    if (entry.uncompressedSize <= SMALL_ENTRY_BYTES && entry.compressedSize <= SMALL_ENTRY_BYTES) {
      return await readSmall(opened, entry);
    }
    return await readStreaming(opened, entry, limits);
  } catch (err) {
    if (isIngestError(err)) throw err;
    throw corrupt(err instanceof Error ? err.message : String(err));
  }
}

async function readSmall({ zip, reader }: OpenedZip, entry: ZipEntryRecord): Promise<Buffer> {
  // yauzl checks the local header and that the data lies inside the file.
  const raw = await reader.readAt(await fileDataStart(zip, entry), entry.compressedSize);
  const data = entry.compressionMethod === 8
    ? zlib.inflateRawSync(raw, {
        maxOutputLength: Math.max(entry.uncompressedSize, 1),
        chunkSize: Math.min(Math.max(entry.uncompressedSize, 64), 64 * 1024),
      })
    : raw;
  checkComplete(entry, data, crc32?.(data));
  checkHead(data);
  return data;
}

async function readStreaming({ zip }: OpenedZip, entry: ZipEntryRecord, limits: IngestLimits): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let crc = crc32 ? 0 : undefined;
  let headChecked = false;
  // yauzl (validateEntrySizes) also errors as soon as the data outgrows the declared size.
  const stream = await openEntryStream(zip, entry);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limits.maxUploadBytes) {
      throw new IngestError('TOO_LARGE', `the file is larger than the limit of ${formatBytes(limits.maxUploadBytes)}`);
    }
    chunks.push(chunk);
    if (crc !== undefined && crc32) crc = crc32(chunk, crc);
    if (!headChecked && total >= SNIFF_BYTES) {
      checkHead(Buffer.concat(chunks));
      headChecked = true;
    }
  }
  const data = Buffer.concat(chunks, total);
  checkComplete(entry, data, crc);
  if (!headChecked) checkHead(data);
  return data;
}
