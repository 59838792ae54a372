import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { formatBytes, formatMegapixels, type ImageErrorCode } from './errors';
import { DEFAULT_LIMITS, type IngestLimits } from './limits';
import { sniff, type AcceptedImageFormat, type Sniffed } from './sniff';

export type StoredFormat = 'jpeg' | 'png';

export interface NormalizedImage {
  ok: true;
  /** sha256 (hex) of the ORIGINAL uploaded bytes: the deduplication key. */
  contentHash: string;
  /** Format of the stored (normalized) image. */
  format: StoredFormat;
  mime: 'image/jpeg' | 'image/png';
  ext: 'jpg' | 'png';
  /** Format the upload arrived in. */
  sourceFormat: AcceptedImageFormat;
  /** Dimensions after EXIF orientation was applied. */
  width: number;
  height: number;
  hasAlpha: boolean;
  originalBytes: number;
  /** Size of `data`. */
  bytes: number;
  /** Oriented, sRGB, every metadata block (EXIF, GPS, XMP, IPTC, ICC) stripped. */
  data: Buffer;
  /** JPEG, fits inside 256×256, alpha flattened on white. */
  thumb: Buffer;
}

export interface ImageRejection {
  ok: false;
  code: ImageErrorCode;
  /** Human-readable reason, e.g. "the image is 30000×30000 pixels (900 megapixels); the limit is 80 megapixels". */
  message: string;
}

export type NormalizeResult = NormalizedImage | ImageRejection;

export const THUMB_SIZE = 256;
const JPEG_QUALITY = 92;
const THUMB_QUALITY = 80;
/** 'error' aborts on truncated or corrupt pixel data but tolerates harmless libjpeg warnings. */
const FAIL_ON = 'error' as const;

const ACCEPTED = 'accepted formats: JPEG, PNG, WebP';

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function reject(code: ImageErrorCode, message: string): ImageRejection {
  return { ok: false, code, message };
}

/** Turns a sniff result that is not an accepted image into a rejection (null when it is accepted). */
export function rejectionForSniff(s: Sniffed): ImageRejection | null {
  switch (s.kind) {
    case 'image':
      return null;
    case 'unsupported-image':
      return reject('UNSUPPORTED_TYPE', `${s.label} is not supported (${ACCEPTED})`);
    case 'zip':
    case 'archive':
      return reject('NOT_AN_IMAGE', `this is an archive, not an image (${ACCEPTED})`);
    case 'unknown':
      return reject('NOT_AN_IMAGE', `the content is ${s.label === 'not an image' ? 'not an image' : s.label} (${ACCEPTED})`);
  }
}

async function loadInput(input: Buffer | string, limits: IngestLimits): Promise<Buffer | ImageRejection> {
  if (typeof input !== 'string') return input;
  const { size } = await stat(input);
  if (size > limits.maxUploadBytes) return tooLarge(size, limits);
  return readFile(input);
}

function tooLarge(size: number, limits: IngestLimits): ImageRejection {
  return reject('TOO_LARGE', `the file is ${formatBytes(size)}; the limit is ${formatBytes(limits.maxUploadBytes)}`);
}

function describeSharpError(err: unknown, format: string): ImageRejection {
  const text = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(text)) return reject('TOO_MANY_PIXELS', 'the image has too many pixels');
  return reject('CORRUPT', `the ${format.toUpperCase()} data is damaged or incomplete and could not be decoded (${text.trim()})`);
}

/**
 * Validates an image by content and produces the stored form. Never trusts the
 * file name. The pixel count is checked from the header before any decoding
 * (decompression bombs), and the full image is decoded so truncated or corrupt
 * files are rejected.
 */
export async function normalizeImage(input: Buffer | string, limits: IngestLimits = DEFAULT_LIMITS): Promise<NormalizeResult> {
  const original = await loadInput(input, limits);
  if (!Buffer.isBuffer(original)) return original;
  if (original.length === 0) return reject('EMPTY_FILE', 'the file is empty');
  if (original.length > limits.maxUploadBytes) return tooLarge(original.length, limits);

  const sniffed = sniff(original);
  const notAccepted = rejectionForSniff(sniffed);
  if (notAccepted || sniffed.kind !== 'image') return notAccepted ?? reject('NOT_AN_IMAGE', 'not an image');

  let header: Metadata;
  try {
    // Header only: no pixel data is decoded here, so no limit is needed yet.
    header = await sharp(original, { limitInputPixels: false, failOn: FAIL_ON }).metadata();
  } catch (err) {
    return describeSharpError(err, sniffed.format);
  }
  const pixels = header.width * header.height;
  if (!(pixels > 0)) return reject('CORRUPT', 'the image header has no valid dimensions');
  if (pixels > limits.maxPixels) {
    return reject(
      'TOO_MANY_PIXELS',
      `the image is ${header.width}×${header.height} pixels (${formatMegapixels(pixels)}); the limit is ${formatMegapixels(limits.maxPixels)}`,
    );
  }

  const storedFormat: StoredFormat = sniffed.format === 'jpeg' ? 'jpeg' : 'png';
  try {
    // No keepMetadata/withMetadata: sharp strips EXIF (incl. GPS), XMP, IPTC and ICC by default.
    const pipeline = sharp(original, { failOn: FAIL_ON, limitInputPixels: limits.maxPixels, autoOrient: true })
      .toColourspace('srgb');
    const encoded = storedFormat === 'jpeg'
      ? pipeline.jpeg({ quality: JPEG_QUALITY })
      : pipeline.png({ compressionLevel: 6 });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    const thumb = await sharp(data, { failOn: FAIL_ON, limitInputPixels: limits.maxPixels })
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: THUMB_QUALITY })
      .toBuffer();
    return {
      ok: true,
      contentHash: sha256Hex(original),
      format: storedFormat,
      mime: storedFormat === 'jpeg' ? 'image/jpeg' : 'image/png',
      ext: storedFormat === 'jpeg' ? 'jpg' : 'png',
      sourceFormat: sniffed.format,
      width: info.width,
      height: info.height,
      hasAlpha: info.channels === 4,
      originalBytes: original.length,
      bytes: data.length,
      data,
      thumb,
    };
  } catch (err) {
    return describeSharpError(err, sniffed.format);
  }
}
