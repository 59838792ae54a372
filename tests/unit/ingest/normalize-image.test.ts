import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../lib/server/ingest/limits';
import { normalizeImage, type NormalizeResult, type NormalizedImage } from '../../../lib/server/ingest/normalize-image';
import { hugePngHeader, makeTmpDir, photoJpeg, photoPng, writeTmp } from './helpers';

function expectOk(result: NormalizeResult): NormalizedImage {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result;
}

/** The EXIF IFD pointer to GPS data (tag 0x8825) in either byte order. */
function hasGpsPointer(exif: Buffer | undefined): boolean {
  return !!exif && (exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88])));
}

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

describe('normalizeImage: valid images', () => {
  it('applies EXIF orientation (width/height swap) and strips all metadata', async () => {
    const rotated = await sharp(await photoJpeg(400, 300)).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const before = await sharp(rotated).metadata();
    expect([before.width, before.height, before.orientation]).toEqual([400, 300, 6]);

    const out = expectOk(await normalizeImage(rotated));
    expect([out.width, out.height]).toEqual([300, 400]);
    expect(out.format).toBe('jpeg');
    const after = await sharp(out.data).metadata();
    expect([after.width, after.height]).toEqual([300, 400]);
    expect(after.orientation).toBeUndefined();
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
  });

  it('removes GPS location data', async () => {
    const withGps = await sharp(await photoJpeg(64, 48))
      .withExif({
        IFD0: { Make: 'PhoneCo', Model: 'Spy 3000' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
      })
      .jpeg()
      .toBuffer();
    expect(hasGpsPointer((await sharp(withGps).metadata()).exif)).toBe(true);

    const out = expectOk(await normalizeImage(withGps));
    expect((await sharp(out.data).metadata()).exif).toBeUndefined();
    expect(out.data.includes(Buffer.from('PhoneCo'))).toBe(false);
    expect(out.data.includes(Buffer.from('Exif\0\0'))).toBe(false);
    expect((await sharp(out.thumb).metadata()).exif).toBeUndefined();
  });

  it('converts CMYK JPEG to sRGB', async () => {
    const cmyk = await sharp(await photoJpeg(64, 48)).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const out = expectOk(await normalizeImage(cmyk));
    const meta = await sharp(out.data).metadata();
    expect(meta.space).toBe('srgb');
    expect(meta.channels).toBe(3);
  });

  it('converts greyscale to sRGB', async () => {
    const grey = await sharp(await photoJpeg(32, 32)).toColourspace('b-w').png().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const out = expectOk(await normalizeImage(grey));
    expect((await sharp(out.data).metadata()).space).toBe('srgb');
  });

  it('keeps PNG alpha, stores PNG, flattens the thumbnail on white', async () => {
    const png = await photoPng(64, 48, true);
    const out = expectOk(await normalizeImage(png));
    expect(out).toMatchObject({ format: 'png', mime: 'image/png', ext: 'png', hasAlpha: true, width: 64, height: 48 });
    expect((await sharp(out.data).metadata()).hasAlpha).toBe(true);
    const thumb = await sharp(out.thumb).metadata();
    expect(thumb.format).toBe('jpeg');
    expect(thumb.hasAlpha).toBe(false);
  });

  it('stores WebP as PNG', async () => {
    const webp = await sharp(await photoJpeg(40, 30)).webp().toBuffer();
    const out = expectOk(await normalizeImage(webp));
    expect(out).toMatchObject({ sourceFormat: 'webp', format: 'png', width: 40, height: 30 });
  });

  it('hashes the ORIGINAL bytes (identical uploads get identical hashes) and makes a 256px thumbnail', async () => {
    const jpeg = await photoJpeg(1000, 500);
    const a = expectOk(await normalizeImage(jpeg));
    const b = expectOk(await normalizeImage(await writeTmp(tmp.dir, jpeg, 'same')));
    expect(a.contentHash).toBe(createHash('sha256').update(jpeg).digest('hex'));
    expect(b.contentHash).toBe(a.contentHash);
    expect(a.originalBytes).toBe(jpeg.length);
    expect(a.bytes).toBe(a.data.length);
    const thumb = await sharp(a.thumb).metadata();
    expect([thumb.width, thumb.height]).toEqual([256, 128]);
  });
});

describe('normalizeImage: hostile or broken input', () => {
  it('rejects non-image bytes named .jpg', async () => {
    const file = await writeTmp(tmp.dir, Buffer.from('<html><script>alert(1)</script></html>'), 'photo.jpg');
    expect(await normalizeImage(file)).toMatchObject({ ok: false, code: 'NOT_AN_IMAGE' });
  });

  it('rejects a truncated JPEG as CORRUPT (full decode)', async () => {
    const jpeg = await photoJpeg(400, 300);
    const result = await normalizeImage(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    expect(result).toMatchObject({ ok: false, code: 'CORRUPT' });
    if (!result.ok) expect(result.message).toMatch(/damaged or incomplete/);
  });

  it('rejects a 30000×30000 PNG from its header, without decoding it', async () => {
    const bomb = hugePngHeader(30000, 30000);
    expect(bomb.length).toBeLessThan(2000);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const result = await normalizeImage(bomb);
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ ok: false, code: 'TOO_MANY_PIXELS' });
    if (!result.ok) expect(result.message).toBe('the image is 30000×30000 pixels (900 megapixels); the limit is 80 megapixels');
    expect(elapsed).toBeLessThan(1000);
    // Decoding it would need 2.7 GB; we stay far below that.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('enforces the pixel limit from configuration', async () => {
    const result = await normalizeImage(await photoJpeg(200, 100), { ...DEFAULT_LIMITS, maxPixels: 10_000 });
    expect(result).toMatchObject({ ok: false, code: 'TOO_MANY_PIXELS' });
  });

  it('rejects files over the byte limit (from a path: without reading them)', async () => {
    const jpeg = await photoJpeg(100, 100);
    const limits = { ...DEFAULT_LIMITS, maxUploadBytes: 100 };
    expect(await normalizeImage(await writeTmp(tmp.dir, jpeg), limits)).toMatchObject({ ok: false, code: 'TOO_LARGE' });
    expect(await normalizeImage(jpeg, limits)).toMatchObject({ ok: false, code: 'TOO_LARGE' });
  });

  it('rejects empty files and unsupported image types with clear messages', async () => {
    expect(await normalizeImage(Buffer.alloc(0))).toEqual({ ok: false, code: 'EMPTY_FILE', message: 'the file is empty' });
    const gif = await sharp(await photoJpeg(10, 10)).gif().toBuffer();
    expect(await normalizeImage(gif)).toMatchObject({ ok: false, code: 'UNSUPPORTED_TYPE', message: expect.stringMatching(/GIF/) });
    const avif = await sharp(await photoJpeg(10, 10)).avif().toBuffer();
    expect(await normalizeImage(avif)).toMatchObject({ ok: false, code: 'UNSUPPORTED_TYPE' });
  });

  it('rejects a PNG with a broken body', async () => {
    const png = await photoPng(64, 64);
    const damaged = Buffer.from(png);
    damaged.fill(0x41, 60, png.length - 20); // smash IDAT
    expect(await normalizeImage(damaged)).toMatchObject({ ok: false, code: 'CORRUPT' });
  });
});
