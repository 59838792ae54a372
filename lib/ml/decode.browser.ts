/**
 * Browser (worker or main thread): Blob → RGBA pixels via createImageBitmap + OffscreenCanvas.
 * EXIF orientation applied, grayscale/CMYK JPEGs come out as sRGB, alpha is composited over white
 * (as lib/ml/image.node.ts does in Node). Huge images are decoded straight to a downscaled working
 * copy; `original` keeps the real size so boxes can be mapped back.
 */
import type { PixelImage } from './preprocess';

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

export function bitmapPixels(bmp: ImageBitmap): PixelImage {
  const canvas = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('OffscreenCanvas 2d context unavailable');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, bmp.width, bmp.height);
  ctx.drawImage(bmp, 0, 0);
  const { data } = ctx.getImageData(0, 0, bmp.width, bmp.height);
  return { data, width: bmp.width, height: bmp.height, channels: 4 };
}

export type DecodedImage = { work: PixelImage; original: { width: number; height: number }; detector?: PixelImage };

/** `detectorSide(w, h)`: also return a copy whose long side is that many pixels (when it is a downscale). */
export async function decodeBlob(blob: Blob, detectorSideFor?: (w: number, h: number) => number, maxSide = WORK_MAX_SIDE): Promise<DecodedImage> {
  const full = await bitmap(blob);
  const original = { width: full.width, height: full.height };
  const detectorSide = detectorSideFor?.(original.width, original.height);
  const fit = (side: number) => {
    const s = side / Math.max(original.width, original.height);
    return { width: Math.max(1, Math.round(original.width * s)), height: Math.max(1, Math.round(original.height * s)) };
  };
  try {
    const workBmp = Math.max(original.width, original.height) > maxSide ? await bitmap(blob, fit(maxSide)) : full;
    const work = bitmapPixels(workBmp);
    if (workBmp !== full) workBmp.close();
    let detector: PixelImage | undefined;
    if (detectorSide && detectorSide < Math.max(work.width, work.height)) {
      const detBmp = await createImageBitmap(full, { resizeWidth: fit(detectorSide).width, resizeHeight: fit(detectorSide).height, resizeQuality: 'medium' });
      detector = bitmapPixels(detBmp);
      detBmp.close();
    }
    return { work, original, detector };
  } finally {
    full.close();
  }
}
