import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { inspectCleanJpeg } from '@/lib/api/imports/clean-jpeg';
import { prepareImage } from '@/lib/api/imports/prepare-image';
import { DEFAULT_LIMITS } from '@/lib/server/ingest/limits';
import { sha256Hex } from '@/lib/server/ingest/normalize-image';

function face(width = 200, height = 200, background = '#a07050'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A JFIF APP0 segment without a thumbnail, as UTKFace's files have. */
function withJfif(jpeg: Buffer, thumbnail = false): Buffer {
  const body = Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, thumbnail ? 1 : 0, thumbnail ? 1 : 0]);
  const extra = thumbnail ? Buffer.alloc(3) : Buffer.alloc(0);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(2 + body.length + extra.length);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe0]), len, body, extra, jpeg.subarray(2)]);
}

async function fullDecodeOk(data: Buffer): Promise<boolean> {
  try {
    await sharp(data, { failOn: 'error' }).raw().toBuffer();
    return true;
  } catch {
    return false;
  }
}

describe('inspectCleanJpeg', () => {
  it('accepts plain baseline JPEGs, with or without a JFIF header', async () => {
    const jpeg = await face(200, 180);
    expect(inspectCleanJpeg(jpeg)).toEqual({ width: 200, height: 180 });
    expect(inspectCleanJpeg(withJfif(jpeg))).toEqual({ width: 200, height: 180 });
  });

  it('refuses anything carrying metadata or unusual coding', async () => {
    const jpeg = await face();
    const exif = await sharp(jpeg).withExif({ IFD0: { Make: 'Spy' } }).jpeg().toBuffer();
    const icc = await sharp(jpeg).withIccProfile('p3').jpeg().toBuffer();
    const progressive = await sharp(jpeg).jpeg({ progressive: true }).toBuffer();
    const comment = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe, 0, 7]), Buffer.from('hello'), jpeg.subarray(2)]);
    for (const bad of [exif, icc, progressive, comment, withJfif(jpeg, true)]) expect(inspectCleanJpeg(bad)).toBeNull();
  });

  it('refuses truncated files and trailing bytes', async () => {
    const jpeg = await face();
    expect(inspectCleanJpeg(jpeg.subarray(0, jpeg.length - 100))).toBeNull();
    expect(inspectCleanJpeg(jpeg.subarray(0, jpeg.length - 2))).toBeNull();
    expect(inspectCleanJpeg(Buffer.concat([jpeg, Buffer.from('PK trailing zip')]))).toBeNull();
    expect(inspectCleanJpeg(Buffer.from('not a jpeg'))).toBeNull();
  });

  it('never accepts a damaged file that a full decode would refuse (seeded mutations)', async () => {
    const jpeg = withJfif(await face(64, 48));
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let accepted = 0;
    for (let k = 0; k < 400; k++) {
      const m = Buffer.from(jpeg);
      let mutated: Buffer;
      if (k % 4 === 0) mutated = m.subarray(0, Math.floor(rnd() * m.length));
      else if (k % 4 === 1) {
        const at = Math.floor(rnd() * m.length);
        mutated = Buffer.concat([m.subarray(0, at), m.subarray(at + 1 + Math.floor(rnd() * 8))]);
      } else {
        // Header bytes mostly: tables, SOF, SOS.
        m[2 + Math.floor(rnd() * Math.min(700, m.length - 2))] ^= 1 << Math.floor(rnd() * 8);
        mutated = m;
      }
      if (!inspectCleanJpeg(mutated)) continue;
      accepted += 1;
      expect(await fullDecodeOk(mutated)).toBe(true);
    }
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('prepareImage', () => {
  it('keeps a clean thumbnail-sized JPEG byte for byte, as its own thumbnail', async () => {
    const jpeg = withJfif(await face());
    const result = await prepareImage(jpeg, DEFAULT_LIMITS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.image).toMatchObject({ width: 200, height: 200, ext: 'jpg', mime: 'image/jpeg', keptOriginal: true, thumbIsImage: true });
    expect(result.image.data.equals(jpeg)).toBe(true);
    expect(result.image.thumb.equals(jpeg)).toBe(true);
    expect(result.image.contentHash).toBe(sha256Hex(jpeg));
    expect(result.image.bytes).toBe(jpeg.length);
  });

  it('makes a real thumbnail for a larger clean JPEG', async () => {
    const jpeg = await face(640, 480);
    const result = await prepareImage(jpeg, DEFAULT_LIMITS);
    if (!result.ok) throw new Error(result.reason);
    expect(result.image).toMatchObject({ width: 640, height: 480, keptOriginal: true, thumbIsImage: false });
    const thumb = await sharp(result.image.thumb).metadata();
    expect([thumb.width, thumb.height]).toEqual([256, 192]);
  });

  it('sends JPEGs with metadata and PNGs through normalizeImage (metadata stripped)', async () => {
    const exif = await sharp(await face())
      .withExif({ IFD0: { Make: 'Spy' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .jpeg()
      .toBuffer();
    const a = await prepareImage(exif, DEFAULT_LIMITS);
    if (!a.ok) throw new Error(a.reason);
    expect(a.image.keptOriginal).toBe(false);
    expect(a.image.contentHash).toBe(sha256Hex(exif));
    expect((await sharp(a.image.data).metadata()).exif).toBeUndefined();
    const png = await sharp(await face(32, 32)).png().toBuffer();
    const b = await prepareImage(png, DEFAULT_LIMITS);
    expect(b.ok && b.image).toMatchObject({ ext: 'png', keptOriginal: false, thumbIsImage: false });
  });

  it('rejects damaged or non-image content with normalizeImage reasons', async () => {
    const jpeg = await face();
    const truncated = await prepareImage(jpeg.subarray(0, jpeg.length / 2), DEFAULT_LIMITS);
    expect(truncated).toMatchObject({ ok: false });
    const text = await prepareImage(Buffer.from('not an image at all'), DEFAULT_LIMITS);
    expect(text).toMatchObject({ ok: false, reason: expect.stringContaining('not an image') });
    const big = await prepareImage(jpeg, { ...DEFAULT_LIMITS, maxPixels: 100 });
    expect(big).toMatchObject({ ok: false, reason: expect.stringContaining('pixels') });
  });
});
