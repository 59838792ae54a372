/** Node: decode an image file (or buffer) with sharp into the PixelImage preprocess.ts takes. */
import sharp from 'sharp';
import type { PixelImage } from './preprocess';

/**
 * RGB pixels whatever the source: EXIF orientation applied, grayscale/CMYK converted to sRGB,
 * alpha composited over white (as the browser worker does), optionally downscaled so the long
 * side is at most `maxSide` (returns the original size too).
 */
export async function decodeImageSized(input: string | Buffer, maxSide?: number): Promise<{ image: PixelImage; original: { width: number; height: number } }> {
  const m = await sharp(input).metadata();
  const swap = (m.orientation ?? 1) >= 5; // EXIF orientations 5–8 turn the image by 90°
  const meta = { width: swap ? m.height : m.width, height: swap ? m.width : m.height };
  // .rotate(): honour EXIF orientation, as browsers do for <img>
  let pipeline = sharp(input).rotate().toColourspace('srgb').flatten({ background: '#ffffff' });
  if (maxSide && Math.max(meta.width, meta.height) > maxSide) pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside' });
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return { image: { data, width: info.width, height: info.height, channels: 3 }, original: { width: meta.width, height: meta.height } };
}

export async function decodeImage(input: string | Buffer): Promise<PixelImage> {
  return (await decodeImageSized(input)).image;
}
