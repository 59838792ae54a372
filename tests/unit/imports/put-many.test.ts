import { mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteError } from '@/lib/server/storage/batch-writer';
import { InvalidKeyError, LocalStorage, imageKey } from '@/lib/server/storage/storage';

let root: string;
let storage: LocalStorage;
const hash = (i: number) => i.toString(16).padStart(64, '0');

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'facet-put-many-'));
  storage = new LocalStorage(root);
});
afterAll(async () => {
  await storage.close();
  await rm(root, { recursive: true, force: true });
});

describe('LocalStorage.putMany (batched, durable writes on a worker thread)', () => {
  it('stores every blob of a batch, readable once the promise resolves, with no temp file left', async () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ key: imageKey(hash(i), 'jpg'), data: Buffer.from(`blob ${i}`) }));
    // A view into a larger buffer is stored as just its bytes.
    const big = Buffer.alloc(1000, 7);
    items.push({ key: imageKey(hash(999), 'jpg'), data: big.subarray(10, 20) });
    await storage.putMany(items);
    for (const [i, item] of items.slice(0, 300).entries()) expect((await storage.get(item.key)).toString()).toBe(`blob ${i}`);
    expect((await storage.get(imageKey(hash(999), 'jpg'))).equals(Buffer.alloc(10, 7))).toBe(true);
    expect(readdirSync(path.join(root, '.tmp'))).toEqual([]);
    // Rewriting the same content-addressed keys is harmless.
    await storage.putMany(items.slice(0, 3));
    expect((await storage.get(items[0].key)).toString()).toBe('blob 0');
  });

  it('refuses an invalid key before writing anything', async () => {
    await expect(storage.putMany([{ key: imageKey(hash(500), 'jpg'), data: Buffer.from('x') }, { key: '../escape', data: Buffer.from('y') }])).rejects.toBeInstanceOf(
      InvalidKeyError,
    );
    expect(await storage.exists(imageKey(hash(500), 'jpg'))).toBe(false);
  });

  it('reports a failed write with the files already in place, and keeps working afterwards', async () => {
    const blocked = imageKey(hash(601), 'jpg');
    mkdirSync(path.join(root, ...blocked.split('/')), { recursive: true }); // a directory where the file should go
    const first = imageKey(hash(600), 'jpg');
    const error = await storage.putMany([{ key: first, data: Buffer.from('ok') }, { key: blocked, data: Buffer.from('no') }]).catch((e) => e);
    expect(error).toBeInstanceOf(BatchWriteError);
    expect((error as BatchWriteError).written).toEqual([path.join(root, ...first.split('/'))]);
    expect(readdirSync(path.join(root, '.tmp'))).toEqual([]);
    await storage.putMany([{ key: imageKey(hash(602), 'jpg'), data: Buffer.from('after') }]);
    expect((await storage.get(imageKey(hash(602), 'jpg'))).toString()).toBe('after');
  });
});

describe('batch writer threads', () => {
  it('are let go when idle and started again for the next batch', async () => {
    const storage2 = new LocalStorage(root);
    await storage2.putMany([{ key: imageKey(hash(700), 'jpg'), data: Buffer.from('before') }]);
    await new Promise((r) => setTimeout(r, 5_500)); // past the idle time
    await storage2.putMany([{ key: imageKey(hash(701), 'jpg'), data: Buffer.from('after idle') }]);
    expect((await storage2.get(imageKey(hash(701), 'jpg'))).toString()).toBe('after idle');
    await storage2.close();
  });
});
