import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrphanBlobs } from '../../../lib/server/storage/orphans';
import {
  BlobNotFoundError,
  imageKey,
  keyProblem,
  LocalStorage,
  parseBlobKey,
  storageFromEnv,
  thumbKey,
} from '../../../lib/server/storage/storage';
import { makeTmpDir } from './helpers';

const HASH = 'ab'.repeat(32);
const HASH2 = 'cd'.repeat(32);

let tmp: { dir: string; cleanup: () => Promise<void> };
let storage: LocalStorage;
beforeAll(async () => {
  tmp = await makeTmpDir();
  storage = new LocalStorage(path.join(tmp.dir, 'store'));
});
afterAll(() => tmp.cleanup());

async function collect(iter: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of iter) out.push(k);
  return out;
}

describe('storage keys', () => {
  it('builds content-addressed keys and parses them back', () => {
    expect(imageKey(HASH, 'jpg')).toBe(`images/ab/ab/${HASH}.jpg`);
    expect(thumbKey(HASH)).toBe(`thumbs/ab/${HASH}.jpg`);
    expect(parseBlobKey(imageKey(HASH, 'png'))).toEqual({ kind: 'image', hash: HASH, ext: 'png' });
    expect(parseBlobKey(thumbKey(HASH))).toEqual({ kind: 'thumb', hash: HASH });
    expect(parseBlobKey(`images/cd/cd/${HASH}.jpg`)).toBeNull();
    expect(() => imageKey('../../etc/passwd', 'jpg')).toThrow(/sha256/);
    expect(() => imageKey(HASH, 'exe' as 'jpg')).toThrow();
  });

  const hostile = [
    '../x',
    '../../etc/passwd',
    '/etc/passwd',
    'a/../../x',
    'images/../../../etc',
    'a/./b',
    'a//b',
    'a/',
    '',
    '.tmp/x',
    'x/.hidden',
    'A/b',
    'a\\..\\..\\b',
    'C:/windows',
    'a\0b',
    '%2e%2e/x',
    'images/ab/\u202e.jpg',
    'x'.repeat(600),
  ];
  const cases = hostile.map((key) => [JSON.stringify(key).slice(0, 40), key] as const);
  it.each(cases)('refuses hostile key %s everywhere', async (_label, key) => {
    expect(keyProblem(key)).not.toBeNull();
    expect(() => storage.pathFor(key)).toThrow(/Invalid storage key/);
    await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow(/Invalid storage key/);
    await expect(storage.get(key)).rejects.toThrow(/Invalid storage key/);
    await expect(storage.exists(key)).rejects.toThrow(/Invalid storage key/);
    await expect(storage.delete(key)).rejects.toThrow(/Invalid storage key/);
  });

  it('keeps every valid key inside the root', () => {
    expect(storage.pathFor('a/b.c-d_e')).toBe(path.join(storage.root, 'a', 'b.c-d_e'));
  });
});

describe('LocalStorage', () => {
  it('puts, reads, streams, stats, lists and deletes', async () => {
    const key = imageKey(HASH, 'jpg');
    await storage.put(key, Buffer.from('hello world'));
    expect(await storage.exists(key)).toBe(true);
    expect((await storage.get(key)).toString()).toBe('hello world');
    expect((await storage.stat(key))?.size).toBe(11);

    const chunks: Buffer[] = [];
    for await (const c of await storage.stream(key, { start: 6, end: 10 })) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('world');

    await storage.put(thumbKey(HASH), Buffer.from('t'));
    await storage.put(imageKey(HASH2, 'png'), Buffer.from('p'));
    expect(await collect(storage.list('images/'))).toEqual([imageKey(HASH, 'jpg'), imageKey(HASH2, 'png')]);
    expect(await collect(storage.list('images/ab/'))).toEqual([imageKey(HASH, 'jpg')]);
    expect(await collect(storage.list('thumbs'))).toEqual([thumbKey(HASH)]);
    expect(await collect(storage.list('nothing-here/'))).toEqual([]);

    await storage.delete(key);
    await storage.delete(key); // idempotent
    expect(await storage.exists(key)).toBe(false);
    expect(await storage.stat(key)).toBeNull();
    await expect(storage.get(key)).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(storage.stream(key)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('writes atomically: no temp files remain and concurrent writers leave one complete object', async () => {
    const key = 'atomic/test.bin';
    const payloads = Array.from({ length: 20 }, (_, i) => Buffer.alloc(64 * 1024, i));
    await Promise.all(payloads.map((p) => storage.put(key, p)));
    const stored = await storage.get(key);
    expect(stored.length).toBe(64 * 1024);
    expect(stored.every((b) => b === stored[0])).toBe(true);
    expect(await readdir(path.join(storage.root, '.tmp'))).toEqual([]);
  });

  it('never lists the temp folder, and sweepTemp removes only stale temp files', async () => {
    const tempDir = path.join(storage.root, '.tmp');
    await mkdir(tempDir, { recursive: true });
    await writeFile(path.join(tempDir, 'old.tmp'), 'x');
    await writeFile(path.join(tempDir, 'fresh.tmp'), 'x');
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(path.join(tempDir, 'old.tmp'), old, old);
    expect((await collect(storage.list(''))).some((k) => k.includes('tmp'))).toBe(false);
    expect(await storage.sweepTemp()).toBe(1);
    expect(await readdir(tempDir)).toEqual(['fresh.tmp']);
    expect(await storage.sweepTemp(0)).toBe(1);
  });

  it('finds orphan blobs older than the grace period', async () => {
    const store = new LocalStorage(path.join(tmp.dir, 'orphans'));
    await store.put(imageKey(HASH, 'jpg'), Buffer.from('a'));
    await store.put(thumbKey(HASH), Buffer.from('a'));
    await store.put(imageKey(HASH2, 'jpg'), Buffer.from('b'));
    await store.put('images/stray.txt', Buffer.from('?'));
    const knownHashes = async (hashes: string[]) => new Set(hashes.filter((h) => h === HASH));
    const later = Date.now() + 48 * 60 * 60 * 1000;
    expect((await collect(findOrphanBlobs(store, { knownHashes, now: later }))).sort()).toEqual([
      imageKey(HASH2, 'jpg'),
      'images/stray.txt',
    ]);
    expect(await collect(findOrphanBlobs(store, { knownHashes }))).toEqual([]); // all too fresh
  });

  it('reads its root from FACET_STORAGE_DIR', () => {
    expect(storageFromEnv({ FACET_STORAGE_DIR: tmp.dir }).root).toBe(path.resolve(tmp.dir));
    expect(storageFromEnv({}).root).toBe(path.resolve('./data/storage'));
  });
});
