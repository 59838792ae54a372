import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { ZipFile } from 'yazl';
import { directorySource, singleFileSource, sourceForPath, zipSource, type ImportEntry, type ImportSource } from '@/lib/api/imports/sources';
import { DEFAULT_LIMITS } from '@/lib/server/ingest/limits';

let dir: string;

async function collect(source: ImportSource) {
  let total = -1;
  const out: { kind: string; name: string; text?: string; reason?: string }[] = [];
  for await (const entry of source.entries({ onTotal: (n) => (total = n) }) as AsyncIterable<ImportEntry>) {
    if (entry.kind === 'file') {
      try {
        out.push({ kind: 'file', name: entry.name, text: (await entry.open()).toString() });
      } catch (error) {
        out.push({ kind: 'file-error', name: entry.name, reason: (error as Error).message });
      }
    } else out.push({ kind: entry.kind, name: entry.name, reason: entry.reason });
  }
  return { total, out };
}

async function zip(file: string, entries: [string, string | Buffer][]): Promise<void> {
  const z = new ZipFile();
  for (const [name, data] of entries) z.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name);
  z.end();
  await new Promise<void>((resolve, reject) => z.outputStream.pipe(createWriteStream(file)).on('close', () => resolve()).on('error', reject));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'facet-import-src-'));
  await mkdir(path.join(dir, 'tree/b/deeper'), { recursive: true });
  await mkdir(path.join(dir, 'tree/a'), { recursive: true });
  await writeFile(path.join(dir, 'tree/z.jpg'), 'z');
  await writeFile(path.join(dir, 'tree/a/1.jpg'), 'a1');
  await writeFile(path.join(dir, 'tree/b/deeper/2.jpg'), 'b2');
  await writeFile(path.join(dir, 'tree/b/big.jpg'), 'x'.repeat(100));
  await symlink(path.join(dir, 'tree/z.jpg'), path.join(dir, 'tree/b/link.jpg'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('import sources', () => {
  it('walks a folder recursively in name order, reads files only when opened, skips links', async () => {
    const { total, out } = await collect(directorySource(path.join(dir, 'tree'), { ...DEFAULT_LIMITS, maxUploadBytes: 50 }));
    expect(total).toBe(5);
    expect(out).toEqual([
      { kind: 'file', name: 'a/1.jpg', text: 'a1' },
      { kind: 'file-error', name: 'b/big.jpg', reason: 'the file is 100 bytes; the limit is 50 bytes' },
      { kind: 'file', name: 'b/deeper/2.jpg', text: 'b2' },
      { kind: 'skipped', name: 'b/link.jpg', reason: 'symbolic link (not followed)' },
      { kind: 'file', name: 'z.jpg', text: 'z' },
    ]);
  });

  it('reads a zip with nested folders through the safe reader', async () => {
    const file = path.join(dir, 'set.zip');
    const jpeg = (background: string) => sharp({ create: { width: 8, height: 8, channels: 3, background } }).jpeg().toBuffer();
    const two = await jpeg('#00ff00');
    await zip(file, [
      ['UTKFace/part1/1_0_0_20170101000000000.jpg', await jpeg('#ff0000')],
      ['UTKFace/part2/deep/2_1_1_20170101000000000.jpg.chip.jpg', two],
      ['UTKFace/more.zip', 'PK'],
      ['__MACOSX/UTKFace/._x.jpg', 'junk'],
    ]);
    const { total, out } = await collect(zipSource(file, DEFAULT_LIMITS));
    expect(total).toBe(4);
    expect(out.map((e) => [e.kind, e.name])).toEqual([
      ['file', 'UTKFace/part1/1_0_0_20170101000000000.jpg'],
      ['file', 'UTKFace/part2/deep/2_1_1_20170101000000000.jpg.chip.jpg'],
      ['rejected', 'UTKFace/more.zip'],
      ['skipped', '__MACOSX/UTKFace/._x.jpg'],
    ]);
    expect(out[1].text).toBe(two.toString());
    expect((await sourceForPath(file, DEFAULT_LIMITS)).label).toBe(path.resolve(file));
  });

  it('imports a single file under the name it came with', async () => {
    const { total, out } = await collect(singleFileSource(path.join(dir, 'tree/z.jpg'), 'upload/30_1_2_20170101000000000.jpg', DEFAULT_LIMITS));
    expect(total).toBe(1);
    expect(out).toEqual([{ kind: 'file', name: 'upload/30_1_2_20170101000000000.jpg', text: 'z' }]);
  });

  it('refuses other archive types for the command line', async () => {
    const gz = path.join(dir, 'set.tar.gz');
    await writeFile(gz, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]));
    await expect(sourceForPath(gz, DEFAULT_LIMITS)).rejects.toThrow(/only folders and \.zip archives/);
  });
});
