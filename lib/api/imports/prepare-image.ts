import sharp from 'sharp';
import type { IngestLimits } from '@/lib/server/ingest/limits';
import { normalizeImage, sha256Hex, THUMB_SIZE } from '@/lib/server/ingest/normalize-image';
import { inspectCleanJpeg } from './clean-jpeg';

/** What the import stores for one image (the fields storeImage takes from a NormalizedImage). */
export type PreparedImage = {
  contentHash: string;
  ext: 'jpg' | 'png';
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  /** Size of `data`. */
  bytes: number;
  data: Buffer;
  thumb: Buffer;
  /** true when the original bytes were kept (clean JPEG), false when normalizeImage re-encoded them. */
  keptOriginal: boolean;
  /**
   * The image already fits the thumbnail box and is stored as it came, so it is its own thumbnail:
   * one blob, and Image.thumbKey = Image.storageKey (halves the blob writes of a UTKFace import).
   */
  thumbIsImage: boolean;
};

export type PrepareResult = { ok: true; image: PreparedImage } | { ok: false; reason: string };

const THUMB_QUALITY = 80;

/**
 * Validates one image and produces what is stored, with the guarantees of normalizeImage (content
 * sniffed, pixel limit checked before decoding, damaged or truncated files refused, no
 * metadata kept, sRGB, upright). Fast path: a clean JPEG (see inspectCleanJpeg — every UTKFace
 * crop is one) already meets them once its whole structure has been checked, so its bytes are
 * stored unchanged: no pixel decode at all when it fits the thumbnail box (it is its own
 * thumbnail), one decode to make the thumbnail otherwise. normalizeImage would decode it twice and
 * re-encode it twice, lossily — some 5–7 ms of CPU for a 200×200 crop, most of an import's time.
 * (A full decode with failOn 'error' refuses nothing more than the structural check: bit errors
 * in the entropy-coded data are only libjpeg warnings; tests/unit/imports fuzzes this.)
 * Everything else (PNG, WebP, JPEGs with EXIF/ICC/comments, grey-scale, CMYK) goes through
 * normalizeImage itself. `contentHash` may be passed when the caller has already computed it.
 */
export async function prepareImage(data: Buffer, limits: IngestLimits, contentHash?: string): Promise<PrepareResult> {
  const clean = data.length <= limits.maxUploadBytes ? inspectCleanJpeg(data) : null;
  if (clean && clean.width * clean.height <= limits.maxPixels) {
    const kept = (thumb: Buffer, thumbIsImage: boolean): PrepareResult => ({
      ok: true,
      image: {
        contentHash: contentHash ?? sha256Hex(data),
        ext: 'jpg',
        mime: 'image/jpeg',
        width: clean.width,
        height: clean.height,
        bytes: data.length,
        data,
        thumb,
        keptOriginal: true,
        thumbIsImage,
      },
    });
    // Thumbnail-sized: the metadata-free original is its own thumbnail; nothing to decode.
    if (clean.width <= THUMB_SIZE && clean.height <= THUMB_SIZE) return kept(data, true);
    try {
      const thumb = await sharp(data, { failOn: 'error', limitInputPixels: limits.maxPixels })
        .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: THUMB_QUALITY })
        .toBuffer();
      return kept(thumb, false);
    } catch {
      // libjpeg refuses what the structural check let through: normalizeImage gives its verdict below.
    }
  }
  const normalized = await normalizeImage(data, limits);
  if (!normalized.ok) return { ok: false, reason: normalized.message };
  return {
    ok: true,
    image: {
      contentHash: normalized.contentHash,
      ext: normalized.ext,
      mime: normalized.mime,
      width: normalized.width,
      height: normalized.height,
      bytes: normalized.bytes,
      data: normalized.data,
      thumb: normalized.thumb,
      keptOriginal: false,
      thumbIsImage: false,
    },
  };
}
