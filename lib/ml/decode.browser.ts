/**
 * Browser (worker or main thread): Blob → RGBA pixels via createImageBitmap + OffscreenCanvas.
 * EXIF orientation applied, grayscale/CMYK JPEGs come out as sRGB, alpha is composited over white
 * (as lib/ml/image.node.ts does in Node). Huge images are decoded straight to a downscaled working
 * copy; `original` keeps the real size so boxes can be mapped back.
 */
import type { PixelImage, PixelRect, PixelSource } from './preprocess';

export const WORK_MAX_SIDE = 2048;

/** The image itself is bad (not the backend): the worker must not switch backends over it. */
export class ImageDecodeError extends Error {}

async function bitmap(blob: Blob, resize?: { width: number; height: number }, quality: ResizeQuality = 'high'): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(blob, {
      imageOrientation: 'from-image',
      ...(resize ? { resizeWidth: resize.width, resizeHeight: resize.height, resizeQuality: quality } : {}),
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ImageDecodeError(`could not decode the image (${blob.type || 'unknown type'}, ${blob.size} bytes): ${why}`);
  }
}

/** The bitmap's pixels in `rect` (default: all), alpha composited over white; integer rects copy 1:1. */
export function bitmapPixels(bmp: ImageBitmap, rect: PixelRect = { x: 0, y: 0, width: bmp.width, height: bmp.height }): PixelImage {
  const { x, y, width, height } = rect;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('OffscreenCanvas 2d context unavailable');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bmp, x, y, width, height, 0, 0, width, height);
  const { data } = ctx.getImageData(0, 0, width, height);
  return { data, width, height, channels: 4 };
}

export type DecodedImage = { work: PixelImage; original: { width: number; height: number }; detector?: PixelImage };

/** `detectorSide(w, h)`: also return a copy whose long side is that many pixels (when it is a downscale). */
export async function decodeBlob(blob: Blob, detectorSideFor?: (w: number, h: number) => number, maxSide = WORK_MAX_SIDE): Promise<DecodedImage> {
  const scan = await decodeForScan(blob, detectorSideFor, maxSide);
  try {
    return { work: scan.work.read(), original: scan.original, detector: scan.detector };
  } finally {
    scan.close();
  }
}

/** `work` read on demand from the decoded bitmap (close() frees it): see decodeForScan. */
export type ScanImage = { work: PixelSource; original: { width: number; height: number }; detector?: PixelImage; close(): void };

/**
 * decodeBlob for the pre-label pipeline: the working copy stays a bitmap and only the rectangles the
 * pipeline asks for are read back (the faces' regions; the whole image only if the fine detector
 * pass runs). Reading a 1280×720 photo back whole cost more than decoding it (bench:prelabel --profile).
 */
export async function decodeForScan(blob: Blob, detectorSideFor?: (w: number, h: number) => number, maxSide = WORK_MAX_SIDE): Promise<ScanImage> {
  const full = await bitmap(blob);
  const original = { width: full.width, height: full.height };
  const fit = (side: number) => {
    const s = side / Math.max(original.width, original.height);
    return { width: Math.max(1, Math.round(original.width * s)), height: Math.max(1, Math.round(original.height * s)) };
  };
  let workBmp = full;
  try {
    const workSide = Math.min(maxSide, Math.max(original.width, original.height));
    const detectorSide = detectorSideFor?.(original.width, original.height);
    let detector: PixelImage | undefined;
    if (detectorSide && detectorSide < workSide) {
      const detBmp = await createImageBitmap(full, { resizeWidth: fit(detectorSide).width, resizeHeight: fit(detectorSide).height, resizeQuality: 'medium' });
      detector = bitmapPixels(detBmp);
      detBmp.close();
    }
    if (Math.max(original.width, original.height) > maxSide) {
      workBmp = await bitmap(blob, fit(maxSide));
      full.close();
    }
    let whole: PixelImage | undefined;
    const bmp = workBmp;
    const work: PixelSource = {
      width: bmp.width,
      height: bmp.height,
      read: (rect) => (rect ? bitmapPixels(bmp, rect) : (whole ??= bitmapPixels(bmp))),
      // The fine detector pass's input, resized as the coarse one is.
      scaled: async (side) => {
        const s = side / Math.max(bmp.width, bmp.height);
        const copy = await createImageBitmap(bmp, { resizeWidth: Math.max(1, Math.round(bmp.width * s)), resizeHeight: Math.max(1, Math.round(bmp.height * s)), resizeQuality: 'medium' });
        try {
          return bitmapPixels(copy);
        } finally {
          copy.close();
        }
      },
    };
    return { work, original, detector, close: () => bmp.close() };
  } catch (e) {
    workBmp.close();
    full.close();
    throw e;
  }
}
