import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32, splitParts, storeZip } from '@/app/(app)/import/store-zip';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { type ImportEntry, zipSource } from '@/lib/api/imports/sources';
import { DEFAULT_LIMITS } from '@/lib/server/ingest/limits';

/** Every entry as yauzl (an independent reader) sees it: name, bytes, and the CRC-32 stored for it. */
function readBack(file: string): Promise<{ name: string; data: Buffer; crc: number }[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, strictFileNames: true }, (err, zip) => {
      if (err) return reject(err);
      const out: { name: string; data: Buffer; crc: number }[] = [];
      zip.on('entry', (entry) =>
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push({ name: entry.fileName, data: Buffer.concat(chunks), crc: entry.crc32 });
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'facet-store-zip-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const picked = (name: string, text: string | Uint8Array<ArrayBuffer>) => ({ file: new File([text], name.split('/').pop()!), path: name });

describe('browser folder packing (stored zip)', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('writes a zip the server reads back entry for entry, nested paths and UTF-8 names included', async () => {
    const binary = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
    const files = [
      picked('UTKFace/a/20_0_2_20170101000000001.jpg.chip.jpg', 'first'),
      picked('UTKFace/a/b/c/résumé 24_0_1_20170116220224657 .jpg.chip.jpg', 'second'),
      picked('UTKFace/big.bin', binary),
      picked('UTKFace/empty.txt', ''),
    ];
    const read: number[] = [];
    const blob = await storeZip(files, (n) => read.push(n));
    expect(read).toEqual([1, 2, 3, 4]);
    const file = path.join(dir, 'packed.zip');
    await writeFile(file, new Uint8Array(await blob.arrayBuffer()));
    const out = await readBack(file);
    expect(out.map((o) => o.name)).toEqual(files.map((f) => f.path));
    expect(out[0].data.toString()).toBe('first');
    expect(out[1].data.toString()).toBe('second');
    expect(out[2].data.equals(Buffer.from(binary))).toBe(true);
    expect(out[3].data.length).toBe(0);
    for (const o of out) expect(o.crc).toBe(crc32(o.data));
  });

  it('is accepted by the import zip reader (a packed folder of images)', async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const blob = await storeZip([picked('UTKFace/x/30_1_3_20170101000000000.jpg', new Uint8Array(jpeg))]);
    const file = path.join(dir, 'images.zip');
    await writeFile(file, new Uint8Array(await blob.arrayBuffer()));
    let total = 0;
    const names: string[] = [];
    for await (const entry of zipSource(file, DEFAULT_LIMITS).entries({ onTotal: (n) => (total = n) }) as AsyncIterable<ImportEntry>) {
      if (entry.kind !== 'file') throw new Error(`${entry.name}: ${entry.reason}`);
      expect((await entry.open()).equals(jpeg)).toBe(true);
      names.push(entry.name);
    }
    expect([total, names]).toEqual([1, ['UTKFace/x/30_1_3_20170101000000000.jpg']]);
  });

  it('splits a folder into parts under the entry and byte limits', () => {
    const files = Array.from({ length: 25 }, (_, i) => picked(`f/${i}.jpg`, 'x'.repeat(100)));
    expect(splitParts(files, 10, 1e9).map((p) => p.length)).toEqual([10, 10, 5]);
    expect(splitParts(files, 100, 1000).every((p) => p.length >= 1 && p.length <= 4)).toBe(true);
    expect(splitParts(files, 100, 1000).flat()).toEqual(files);
    expect(splitParts([picked('huge.bin', 'x'.repeat(5000))], 10, 1000)).toHaveLength(1); // one file always fits somewhere
  });
});
