import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestUpload, type IngestOptions, type StoreOutcome } from '../../../lib/server/ingest/ingest-file';
import { DEFAULT_LIMITS } from '../../../lib/server/ingest/limits';
import type { NormalizedImage } from '../../../lib/server/ingest/normalize-image';
import { imageKey, LocalStorage, parseBlobKey, thumbKey } from '../../../lib/server/storage/storage';
import { hugePngHeader, makeTmpDir, photoJpeg, photoPng, writeTmp, yazlZip } from './helpers';
import { buildZip, type FixtureEntry } from './zip-fixture';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

/** Stand-in for the lead's Prisma callback: blobs into LocalStorage, "rows" in a Map keyed by hash. */
function fakeLibrary(name: string) {
  const storage = new LocalStorage(path.join(tmp.dir, name));
  const rows = new Map<string, { id: string; name: string }>();
  const calls: string[] = [];
  const onImage = async (image: NormalizedImage, sourceName: string): Promise<StoreOutcome> => {
    calls.push(sourceName);
    const existing = rows.get(image.contentHash);
    if (existing) return { status: 'duplicate', imageId: existing.id };
    await storage.put(thumbKey(image.contentHash), image.thumb);
    await storage.put(imageKey(image.contentHash, image.ext), image.data);
    const id = `img-${rows.size + 1}`;
    rows.set(image.contentHash, { id, name: sourceName });
    return { status: 'stored', imageId: id };
  };
  const keys = async () => {
    const out: string[] = [];
    for await (const k of storage.list('')) out.push(k);
    return out;
  };
  return { storage, rows, calls, onImage, keys };
}

describe('ingestUpload: single files', () => {
  it('stores a valid image and reports a re-upload of the same bytes as a duplicate', async () => {
    const lib = fakeLibrary('single');
    const file = await writeTmp(tmp.dir, await photoJpeg(200, 100));
    const first = await ingestUpload(file, 'portrait.jpg', { onImage: lib.onImage });
    expect(first).toMatchObject({ kind: 'image', counts: { stored: 1, duplicate: 0, rejected: 0, skipped: 0 } });
    expect(first.results[0]).toMatchObject({ name: 'portrait.jpg', status: 'stored', imageId: 'img-1' });

    const second = await ingestUpload(file, 'copy of portrait.JPG', { onImage: lib.onImage });
    expect(second.results[0]).toMatchObject({ status: 'duplicate', imageId: 'img-1' });
    expect(second.results[0]?.contentHash).toBe(first.results[0]?.contentHash);
    expect(await lib.keys()).toHaveLength(2); // one image + one thumbnail
  });

  it('skips decoding when findExisting already knows the content', async () => {
    const lib = fakeLibrary('known');
    const file = await writeTmp(tmp.dir, await photoJpeg(50, 50));
    const report = await ingestUpload(file, 'a.jpg', { onImage: lib.onImage, findExisting: async () => 'img-42' });
    expect(report.results[0]).toMatchObject({ status: 'duplicate', imageId: 'img-42' });
    expect(lib.calls).toEqual([]);
  });

  it.each([
    ['non-image bytes named .jpg', Buffer.from('this is plainly text'), 'NOT_AN_IMAGE'],
    ['a truncated JPEG', null, 'CORRUPT'],
    ['a 30000×30000 PNG header', hugePngHeader(30000, 30000), 'TOO_MANY_PIXELS'],
    ['an empty file', Buffer.alloc(0), 'EMPTY_FILE'],
  ])('rejects %s and stores nothing', async (_label, bytes, code) => {
    const lib = fakeLibrary(`bad-${code}`);
    const data = bytes ?? (await photoJpeg(300, 200)).subarray(0, 3000);
    const report = await ingestUpload(await writeTmp(tmp.dir, data), 'photo.jpg', { onImage: lib.onImage });
    expect(report.results).toEqual([
      { name: 'photo.jpg', status: 'rejected', code, message: expect.stringMatching(/^photo\.jpg: .+; not stored$/) },
    ]);
    expect(await lib.keys()).toEqual([]);
    expect(lib.calls).toEqual([]);
  });

  it('refuses other archive formats as a whole', async () => {
    const report = await ingestUpload(await writeTmp(tmp.dir, gzipSync(Buffer.alloc(100))), 'photos.tar.gz', {
      onImage: fakeLibrary('gz').onImage,
    });
    expect(report.kind).toBe('archive');
    expect(report.error?.code).toBe('UNSUPPORTED_ARCHIVE');
    expect(report.error?.message).toMatch(/only \.zip archives are supported/);
  });
});

describe('ingestUpload: zips', () => {
  it('gives every entry a result and stores only the valid images', async () => {
    const lib = fakeLibrary('mixed');
    const jpeg = await photoJpeg(120, 90);
    const png = await photoPng(40, 40, true);
    const sqlName = "x'); DROP TABLE images;--.jpg";
    const htmlName = '<script>alert("hi")</script>.png';
    const zip = buildZip([
      { name: 'photos/', data: Buffer.alloc(0), method: 0 },
      { name: 'photos/a.jpg', data: jpeg },
      { name: 'photos/copy-of-a.jpg', data: jpeg },
      { name: `photos/${sqlName}`, data: await photoJpeg(30, 30) },
      { name: `photos/${htmlName}`, data: png },
      { name: '../../etc/passwd', data: Buffer.from('root:x:0:0') },
      { name: 'photos/inner.zip', data: await yazlZip([{ name: 'x.jpg', data: jpeg }]) },
      { name: 'photos/readme.txt', data: Buffer.from('hello') },
      { name: 'photos/broken.jpg', data: jpeg.subarray(0, 1500) },
      { name: '__MACOSX/photos/._a.jpg', data: Buffer.from('junk') },
    ]);
    const progress: number[] = [];
    const report = await ingestUpload(await writeTmp(tmp.dir, zip), 'batch.zip', {
      onImage: lib.onImage,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(report.kind).toBe('zip');
    expect(report.error).toBeUndefined();
    expect(report.results.map((r) => [r.name, r.status, r.code])).toEqual([
      ['photos/', 'skipped', 'DIRECTORY'],
      ['photos/a.jpg', 'stored', undefined],
      ['photos/copy-of-a.jpg', 'duplicate', undefined],
      [`photos/${sqlName}`, 'stored', undefined],
      [`photos/${htmlName}`, 'stored', undefined],
      ['../../etc/passwd', 'rejected', 'UNSAFE_PATH'],
      ['photos/inner.zip', 'rejected', 'NESTED_ARCHIVE'],
      ['photos/readme.txt', 'rejected', 'NOT_AN_IMAGE'],
      ['photos/broken.jpg', 'rejected', 'CORRUPT'],
      ['__MACOSX/photos/._a.jpg', 'skipped', 'SYSTEM_FILE'],
    ]);
    expect(report.counts).toEqual({ stored: 3, duplicate: 1, rejected: 4, skipped: 2 });
    expect(report.results[5]?.message).toBe(
      'entry ../../etc/passwd: path escapes the archive (zip-slip: ".." path segment); not stored',
    );
    expect(report.results[2]?.message).toBe('entry photos/copy-of-a.jpg: identical to photos/a.jpg in this upload; not stored again');
    expect(report.results[2]?.imageId).toBe(report.results[1]?.imageId);
    expect(progress.at(-1)).toBe(1);

    // Names reach the callback verbatim; storage keys are content hashes only.
    expect(lib.calls).toEqual(['photos/a.jpg', `photos/${sqlName}`, `photos/${htmlName}`]);
    const keys = await lib.keys();
    expect(keys).toHaveLength(6);
    expect(keys.every((k) => parseBlobKey(k) !== null)).toBe(true);
    expect(await readdir(path.join(lib.storage.root, '.tmp'))).toEqual([]);
  });

  it('refuses a zip over the entry limit up front, storing nothing', async () => {
    const lib = fakeLibrary('too-many');
    const jpeg = await photoJpeg(16, 16);
    const zip = buildZip(Array.from({ length: 4 }, (_, i) => ({ name: `${i}.jpg`, data: jpeg })));
    const report = await ingestUpload(await writeTmp(tmp.dir, zip), 'big.zip', {
      onImage: lib.onImage,
      limits: { ...DEFAULT_LIMITS, maxZipEntries: 3 },
    });
    expect(report.error?.code).toBe('TOO_MANY_ENTRIES');
    expect(report.results).toEqual([]);
    expect(await lib.keys()).toEqual([]);
  });

  it('stops at the first storage failure and says what was saved', async () => {
    const lib = fakeLibrary('fails');
    const zip = await yazlZip([
      { name: '1.jpg', data: await photoJpeg(16, 16) },
      { name: '2.jpg', data: await photoJpeg(16, 16) },
      { name: '3.jpg', data: await photoJpeg(16, 16) },
    ]);
    const boom = new Error('disk full');
    const onImage: IngestOptions['onImage'] = async (image, name) => {
      if (name === '2.jpg') throw boom;
      return lib.onImage(image, name);
    };
    const report = await ingestUpload(await writeTmp(tmp.dir, zip), 'x.zip', { onImage });
    expect(report.results.map((r) => [r.name, r.status, r.code])).toEqual([
      ['1.jpg', 'stored', undefined],
      ['2.jpg', 'rejected', 'STORE_FAILED'],
    ]);
    expect(report.error?.code).toBe('STORE_FAILED');
    expect(report.internalError).toBe(boom);
  });

  it('stops between entries when the upload is aborted', async () => {
    const lib = fakeLibrary('aborted');
    const zip = await yazlZip(await Promise.all([1, 2, 3].map(async (i) => ({ name: `${i}.jpg`, data: await photoJpeg(16, 16) }))));
    const controller = new AbortController();
    const onImage: IngestOptions['onImage'] = async (image, name) => {
      controller.abort();
      return lib.onImage(image, name);
    };
    const report = await ingestUpload(await writeTmp(tmp.dir, zip), 'x.zip', { onImage, signal: controller.signal });
    expect(report.counts.stored).toBe(1);
    expect(report.error?.code).toBe('INTERRUPTED');
    expect(report.error?.message).toMatch(/interrupted after 1 of 3 entries/);
    expect(await lib.keys()).toHaveLength(2);
  });

  it('processes a zip of 10,000 tiny non-image entries quickly, one result each', async () => {
    const lib = fakeLibrary('ten-thousand');
    const entries: FixtureEntry[] = Array.from({ length: 10_000 }, (_, i) => ({
      name: `tiny/${i}.jpg`,
      data: Buffer.from(`not an image #${i}`),
    }));
    const file = await writeTmp(tmp.dir, buildZip(entries));
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const report = await ingestUpload(file, 'tiny.zip', { onImage: lib.onImage });
    const elapsed = performance.now() - started;
    const heapGrowth = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    console.log(`ingestUpload: 10,000-entry zip in ${Math.round(elapsed)} ms, heap +${heapGrowth.toFixed(1)} MiB`);
    expect(report.results).toHaveLength(10_000);
    expect(report.counts).toEqual({ stored: 0, duplicate: 0, rejected: 10_000, skipped: 0 });
    expect(report.results[9_999]).toMatchObject({ name: 'tiny/9999.jpg', code: 'NOT_AN_IMAGE' });
    expect(elapsed).toBeLessThan(15_000);
    expect(await lib.keys()).toEqual([]);
  });
});
