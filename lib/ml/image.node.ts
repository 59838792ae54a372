/** Node: decode an image file (or buffer) with sharp into the PixelImage preprocess.ts takes. */
import sharp from 'sharp';
import type { PixelImage } from './preprocess';

export async function decodeImage(input: string | Buffer): Promise<PixelImage> {
  const { data, info } = await sharp(input)
    .rotate() // honour EXIF orientation, as browsers do for <img>
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return { data, width: info.width, height: info.height, channels: 3 };
}
