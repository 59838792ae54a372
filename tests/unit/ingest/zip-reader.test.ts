import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIngestError } from '../../../lib/server/ingest/errors';
import { DEFAULT_LIMITS, type IngestLimits } from '../../../lib/server/ingest/limits';
import { inspectZip, readZipEntries, type ZipEntry } from '../../../lib/server/ingest/zip-reader';
import { makeTmpDir, photoJpeg, writeTmp, yazlZip } from './helpers';
import { buildZip, unicodePathExtra, unixMode, type FixtureEntry } from './zip-fixture';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

type Seen = { name: string; kind: ZipEntry['kind']; code?: string; message?: string; bytes?: number };

/** Reads every entry, opening each file entry, and records what happened. */
async function readAll(zip: Buffer, limits: IngestLimits = DEFAULT_LIMITS): Promise<Seen[]> {
  const file = await writeTmp(tmp.dir, zip, 'upload.zip');
  const seen: Seen[] = [];
  for await (const entry of readZipEntries(file, limits)) {
    if (entry.kind !== 'file') {
      seen.push({ name: entry.name, kind: entry.kind, code: entry.code, message: entry.message });
      continue;
    }
    try {
      const data = await entry.open();
      seen.push({ name: entry.name, kind: 'file', bytes: data.length });
    } catch (err) {
      if (!isIngestError(err)) throw err;
      seen.push({ name: entry.name, kind: 'rejected', code: err.code, message: err.message });
    }
  }
  return seen;
}

async function archiveError(zip: Buffer, limits: IngestLimits = DEFAULT_LIMITS): Promise<{ code: string; message: string }> {
  try {
    await readAll(zip, limits);
  } catch (err) {
    if (isIngestError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected the archive to be refused');
}

describe('readZipEntries: zip-slip and unsafe entries', () => {
  it('reports each traversal attempt per entry and still reads the safe entries', async () => {
    const jpeg = await photoJpeg(32, 32);
    const trickRaw = Buffer.from('../../evil.jpg');
    const seen = await readAll(
      buildZip([
        { name: '../../etc/passwd', data: Buffer.from('root:x:0:0') },
        { name: 'ok/first.jpg', data: jpeg },
        { name: '/etc/shadow', data: Buffer.from('x') },
        { name: 'C:/Windows/win.ini', data: Buffer.from('x') },
        { name: Buffer.from('..\\..\\boot.jpg'), data: jpeg },
        { name: 'a/b/../../../c.jpg', data: jpeg },
        // The Unicode path field says "safe.jpg" but the raw name traverses: still refused.
        { name: trickRaw, data: jpeg, extraField: unicodePathExtra(trickRaw, 'safe.jpg') },
        { name: 'ok/second.jpg', data: jpeg },
      ]),
    );
    expect(seen.map((s) => [s.name, s.kind, s.code])).toEqual([
      ['../../etc/passwd', 'rejected', 'UNSAFE_PATH'],
      ['ok/first.jpg', 'file', undefined],
      ['/etc/shadow', 'rejected', 'UNSAFE_PATH'],
      ['C:/Windows/win.ini', 'rejected', 'UNSAFE_PATH'],
      ['../../boot.jpg', 'rejected', 'UNSAFE_PATH'],
      ['a/b/../../../c.jpg', 'rejected', 'UNSAFE_PATH'],
      ['safe.jpg', 'rejected', 'UNSAFE_PATH'],
      ['ok/second.jpg', 'file', undefined],
    ]);
    expect(seen[0]?.message).toBe('path escapes the archive (zip-slip: ".." path segment)');
    expect(seen[1]?.bytes).toBe(jpeg.length);
  });

  it('rejects symlinks, encrypted entries and unknown compression; skips folders and macOS junk', async () => {
    const jpeg = await photoJpeg(16, 16);
    const seen = await readAll(
      buildZip([
        { name: 'photos/', data: Buffer.alloc(0), method: 0, externalAttributes: unixMode(0o040755) },
        { name: 'photos/link.jpg', data: Buffer.from('/etc/passwd'), method: 0, externalAttributes: unixMode(0o120777) },
        { name: 'photos/secret.jpg', data: jpeg, flags: 0x1 },
        { name: 'photos/bz.jpg', data: jpeg, method: 12, compressed: Buffer.from('BZh91AY&SY') },
        { name: '__MACOSX/photos/._a.jpg', data: Buffer.from('junk') },
        { name: 'photos/._b.jpg', data: Buffer.from('junk') },
        { name: 'photos/.DS_Store', data: Buffer.from('junk') },
        { name: 'photos/empty.jpg', data: Buffer.alloc(0) },
      ]),
    );
    expect(seen.map((s) => [s.name, s.kind, s.code])).toEqual([
      ['photos/', 'skipped', 'DIRECTORY'],
      ['photos/link.jpg', 'rejected', 'SYMLINK'],
      ['photos/secret.jpg', 'rejected', 'ENCRYPTED'],
      ['photos/bz.jpg', 'rejected', 'UNSUPPORTED_COMPRESSION'],
      ['__MACOSX/photos/._a.jpg', 'skipped', 'SYSTEM_FILE'],
      ['photos/._b.jpg', 'skipped', 'SYSTEM_FILE'],
      ['photos/.DS_Store', 'skipped', 'SYSTEM_FILE'],
      ['photos/empty.jpg', 'rejected', 'EMPTY_FILE'],
    ]);
  });

  it('detects nested archives by extension and by magic bytes, and non-images by content', async () => {
    const inner = await yazlZip([{ name: 'x.jpg', data: await photoJpeg(8, 8) }]);
    const seen = await readAll(
      buildZip([
        { name: 'inner.zip', data: inner },
        { name: 'disguised.jpg', data: inner },
        { name: 'backup.png', data: gzipSync(Buffer.alloc(1000)) },
        { name: 'notes.txt', data: Buffer.from('not a photo') },
        { name: 'fake.jpg', data: Buffer.from('GIF89a but actually text'.padEnd(2000, '.')) },
      ]),
    );
    expect(seen.map((s) => [s.name, s.code])).toEqual([
      ['inner.zip', 'NESTED_ARCHIVE'],
      ['disguised.jpg', 'NESTED_ARCHIVE'],
      ['backup.png', 'NESTED_ARCHIVE'],
      ['notes.txt', 'NOT_AN_IMAGE'],
      ['fake.jpg', 'UNSUPPORTED_TYPE'],
    ]);
  });

  it('keeps SQL-ish and HTML names as data, replacing only control characters', async () => {
    const jpeg = await photoJpeg(8, 8);
    const names = ["Robert'); DROP TABLE images;--.jpg", '<img src=x onerror=alert(1)>.jpg', 'tab\there.jpg'];
    const seen = await readAll(buildZip(names.map((name) => ({ name, data: jpeg }))));
    expect(seen.map((s) => s.name)).toEqual([names[0], names[1], 'tab\uFFFDhere.jpg']);
    expect(seen.every((s) => s.kind === 'file')).toBe(true);
  });
});

describe('readZipEntries: zip bombs and limits', () => {
  it('rejects a 50 MB-of-zeros entry by its compression ratio, without inflating it', async () => {
    const zeros = Buffer.alloc(50_000_000);
    const compressed = deflateRawSync(zeros, { level: 9 });
    const zip = buildZip([{ name: 'big.jpg', data: Buffer.alloc(0), compressed, crc: crc32(zeros), declaredUncompressedSize: zeros.length }]);
    const started = performance.now();
    const seen = await readAll(zip);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'rejected', code: 'ZIP_BOMB' });
    expect(seen[0]?.message).toMatch(/possible zip bomb/);
  });

  it('stops inflating an entry that lies about its size', async () => {
    const zeros = Buffer.alloc(20_000_000);
    const zip = buildZip([
      { name: 'liar.jpg', data: Buffer.alloc(0), compressed: deflateRawSync(zeros), crc: 0, declaredUncompressedSize: 1000 },
    ]);
    const seen = await readAll(zip);
    expect(seen[0]).toMatchObject({ kind: 'rejected', code: 'CORRUPT' });
  });

  it('rejects entries whose declared size exceeds the per-image limit', async () => {
    const jpeg = await photoJpeg(64, 64);
    const seen = await readAll(buildZip([{ name: 'a.jpg', data: jpeg }]), { ...DEFAULT_LIMITS, maxUploadBytes: 100 });
    expect(seen[0]).toMatchObject({ kind: 'rejected', code: 'TOO_LARGE' });
  });

  it('refuses archives with too many entries before processing any of them', async () => {
    const entries: FixtureEntry[] = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x') }));
    const err = await archiveError(buildZip(entries), { ...DEFAULT_LIMITS, maxZipEntries: 5 });
    expect(err).toEqual({
      code: 'TOO_MANY_ENTRIES',
      message: 'The zip file has 6 entries; the limit is 5. Split it into smaller archives. Nothing was stored.',
    });
  });

  it('refuses archives whose total uncompressed size is over the limit', async () => {
    const entries: FixtureEntry[] = Array.from({ length: 3 }, (_, i) => ({ name: `f${i}.bin`, data: Buffer.alloc(400) }));
    const err = await archiveError(buildZip(entries), { ...DEFAULT_LIMITS, maxZipBytes: 1000 });
    expect(err.code).toBe('ARCHIVE_TOO_LARGE');
  });

  it('refuses entries that share their data (overlapping zip bomb)', async () => {
    const zip = buildZip([{ name: 'a.jpg', data: Buffer.from('x') }, { name: 'b.jpg', data: Buffer.from('x') }]);
    // Point the second central-directory record at the first local header.
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 1);
    zip.writeUInt32LE(0, cd + 42);
    expect((await archiveError(zip)).code).toBe('CORRUPT_ARCHIVE');
  });

  it('refuses damaged archives with a clear message', async () => {
    const zip = await yazlZip([{ name: 'a.jpg', data: await photoJpeg(8, 8) }]);
    const err = await archiveError(zip.subarray(0, zip.length - 30));
    expect(err.code).toBe('CORRUPT_ARCHIVE');
    expect(err.message).toMatch(/^The zip file is damaged or not a zip file/);
  });

  it('summarises a zip from its central directory', async () => {
    const zip = await yazlZip([{ name: 'a.txt', data: Buffer.alloc(300) }, { name: 'b.txt', data: Buffer.alloc(200) }]);
    const summary = await inspectZip(await writeTmp(tmp.dir, zip));
    expect(summary).toEqual({ entryCount: 2, fileBytes: zip.length, totalUncompressedBytes: 500 });
  });
});

describe('readZipEntries: large entries (streamed) and integrity', () => {
  it('streams entries over 1 MiB intact, stored or deflated', async () => {
    const big = await photoJpeg(1400, 1400);
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const seen = await readAll(
      buildZip([
        { name: 'big-deflated.jpg', data: big },
        { name: 'big-stored.jpg', data: big, method: 0 },
      ]),
    );
    expect(seen.map((s) => [s.kind, s.bytes])).toEqual([
      ['file', big.length],
      ['file', big.length],
    ]);
  });

  it('stops a streamed entry that outgrows its declared size', async () => {
    // Starts like a JPEG so the content sniff lets it through to the size check.
    const data = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(3 * 1024 * 1024)]);
    const declared = 2 * 1024 * 1024;
    const deflated = await readAll(buildZip([{ name: 'liar.jpg', data, declaredUncompressedSize: declared }]));
    expect(deflated[0]).toMatchObject({ kind: 'rejected', code: 'CORRUPT' });
    // For stored entries the sizes must agree in the directory itself: the whole archive is refused.
    const stored = buildZip([{ name: 'liar.jpg', data, method: 0, declaredUncompressedSize: declared }]);
    expect((await archiveError(stored)).code).toBe('CORRUPT_ARCHIVE');
  });

  it('aborts a large nested archive after its first bytes', async () => {
    const inner = await yazlZip([{ name: 'noise.bin', data: randomBytes(2 * 1024 * 1024), compress: false }]);
    const seen = await readAll(buildZip([{ name: 'holiday.jpg', data: inner }]));
    expect(seen[0]).toMatchObject({ kind: 'rejected', code: 'NESTED_ARCHIVE' });
  });

  it('rejects an entry whose checksum does not match', async () => {
    const jpeg = await photoJpeg(32, 32);
    const seen = await readAll(buildZip([{ name: 'flipped.jpg', data: jpeg, crc: 0x12345678 }]));
    expect(seen[0]).toMatchObject({ kind: 'rejected', code: 'CORRUPT', message: expect.stringMatching(/checksum/) });
  });

  it('refuses to open an entry after the iterator has moved on', async () => {
    const jpeg = await photoJpeg(8, 8);
    const file = await writeTmp(tmp.dir, buildZip([{ name: 'a.jpg', data: jpeg }, { name: 'b.jpg', data: jpeg }]));
    const entries: ZipEntry[] = [];
    for await (const entry of readZipEntries(file)) entries.push(entry);
    for (const entry of entries) {
      if (entry.kind !== 'file') throw new Error('expected a file entry');
      await expect(entry.open()).rejects.toThrow(/before moving on/);
    }
  });
});

describe('readZipEntries: resources', () => {
  // Descriptors open on `paths` only: test files running beside this one in the same process open and
  // close their own files, so counting every descriptor made this test fail now and then.
  const openFds = (...paths: string[]) =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return paths.map((p) => realpathSync(p)).includes(readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        return false; // closed between readdir and readlink
      }
    }).length;

  it.skipIf(!existsSync('/proc/self/fd'))('closes the zip when the consumer stops early or the archive is refused', async () => {
    const jpeg = await photoJpeg(8, 8);
    const file = await writeTmp(tmp.dir, buildZip([{ name: 'a.jpg', data: jpeg }, { name: 'b.jpg', data: jpeg }]));
    const bad = await writeTmp(tmp.dir, Buffer.from('PK\x03\x04 but not really a zip'));
    const before = openFds(file, bad);
    for (let i = 0; i < 20; i++) {
      for await (const entry of readZipEntries(file)) {
        if (entry.kind === 'file') await entry.open();
        break;
      }
      await expect(readAll(await readFile(bad))).rejects.toThrow(/damaged or not a zip/);
    }
    expect(openFds(file, bad)).toBeLessThanOrEqual(before);
  });
});

describe('readZipEntries: scale', () => {
  it('streams 10,000 tiny entries one at a time with a per-entry result', async () => {
    const entries: FixtureEntry[] = Array.from({ length: 10_000 }, (_, i) => ({
      name: `tiny/${String(i).padStart(5, '0')}.jpg`,
      data: Buffer.from(`entry ${i}`),
      method: 0,
    }));
    const zip = buildZip(entries);
    const started = performance.now();
    const seen = await readAll(zip);
    // Deflated too (each entry needs its own inflate):
    const deflated = await readAll(buildZip(entries.map((e) => ({ ...e, method: 8 }))));
    expect(deflated.every((s) => s.code === 'NOT_AN_IMAGE')).toBe(true);
    const elapsed = performance.now() - started;
    console.log(`zip-reader: 2 × 10,000 tiny entries (stored, deflated) read and judged in ${Math.round(elapsed)} ms`);
    expect(seen).toHaveLength(10_000);
    expect(seen.every((s) => s.kind === 'rejected' && s.code === 'NOT_AN_IMAGE')).toBe(true);
    expect(elapsed).toBeLessThan(15_000);
  });
});
