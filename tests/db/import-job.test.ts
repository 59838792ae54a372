import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Heartbeats (progress, cancel checks) every 300 ms instead of every 2 s; read when the queue loads.
vi.hoisted(() => {
  process.env.FACET_JOB_LEASE_MS = '900';
});

import { GET as listRoute, POST as startRoute } from '@/app/api/imports/route';
import { DELETE as cancelRoute, GET as getRoute } from '@/app/api/imports/[id]/route';
import type { ImportJobView } from '@/lib/api/imports/import-job';
import { config } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';
import { handlers } from '@/workers/handlers';
import { runOneJob } from '@/workers/runner';
import { yazlZip } from '../unit/ingest/helpers';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let curator: string;
let base: Buffer;
let table: number;

/**
 * `count` distinct clean JPEGs, cheaply: one small JPEG whose quantization table is varied
 * (different bytes, still a valid baseline JPEG, no decode needed to import it).
 */
function variant(k: number): Buffer {
  if (k >= 62_500) throw new Error('only 62,500 variants');
  const out = Buffer.from(base);
  out[table + 1] = 1 + (k % 250);
  out[table + 2] = 1 + (Math.floor(k / 250) % 250);
  return out;
}

function utkName(k: number): string {
  return `${k % 100}_${k % 2}_${k % 5}_2017010${k % 10}${String(k).padStart(9, '0')}.jpg.chip.jpg`;
}

/** `count` UTKFace-named entries in nested folders; `first` picks the image variants (distinct across zips). */
async function utkZip(count: number, prefix: string, first: number): Promise<Buffer> {
  return yazlZip(
    Array.from({ length: count }, (_, k) => ({ name: `${prefix}/part${k % 7}/deep/${utkName(k)}`, data: variant(first + k), compress: false })),
  );
}

function send(body: Uint8Array, name: string, query = '') {
  return startRoute(
    request(`/api/imports${query}`, {
      method: 'POST',
      cookie: curator,
      headers: { 'x-file-name': encodeURIComponent(name), 'content-type': 'application/octet-stream' },
      body,
    }),
    ctx(),
  );
}

async function job(id: string): Promise<ImportJobView> {
  const res = await getRoute(request(`/api/imports/${id}`, { cookie: curator }), ctx({ id }));
  return (await res.json()).import;
}

function uploads(): string[] {
  const dir = path.join(config().storageDir, 'imports');
  return existsSync(dir) ? readdirSync(dir) : [];
}

beforeAll(async () => {
  prisma = await startTestApp();
  curator = await sessionCookie(await createUser('CURATOR'));
  base = await sharp({ create: { width: 48, height: 48, channels: 3, background: '#806040' } }).jpeg({ quality: 80 }).toBuffer();
  table = base.indexOf(Buffer.from([0xff, 0xdb])) + 5; // after the marker, the length (2) and Pq/Tq (1): the 64 values
  expect(table).toBeGreaterThan(5);
});
afterAll(stopTestApp);

describe('UTKFace import as a background job', () => {
  it('queues an uploaded zip, imports it in the worker and keeps the summary on the job', async () => {
    const body = await yazlZip([
      { name: 'a/b/c/20_0_2_20170101000000001.jpg.chip.jpg', data: variant(1) },
      { name: 'a/21_1_2_20170101000000002.jpg', data: variant(2) },
      { name: 'a/x/holiday.jpg', data: variant(3) },
      { name: 'a/x/300_0_0_20170101000000003.jpg', data: variant(4) },
      { name: 'a/dup/22_1_1_20170101000000004.jpg', data: variant(1) },
    ]);
    const res = await send(body, 'set.zip', '?dataset=Job%20set');
    expect(res.status).toBe(202);
    const queued = (await res.json()).import as ImportJobView;
    expect(queued).toMatchObject({ status: 'QUEUED', fileName: 'set.zip', dataset: 'Job set', dryRun: false, summary: null });
    expect(uploads()).toHaveLength(1);
    // Nothing is imported by the request itself.
    expect(await prisma.image.count()).toBe(0);

    expect(await runOneJob(prisma, 'test-worker', handlers)).toBe(true);
    const done = await job(queued.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.progress).toBe(1);
    expect(done.summary).toMatchObject({
      dryRun: false,
      dataset: { name: 'Job set', created: true },
      total: 5,
      imported: 2,
      duplicates: 1,
      unlabeled: 1,
      rejectedCount: 1,
      rejected: [{ name: 'a/x/300_0_0_20170101000000003.jpg', reason: 'age 300 out of range 0–120' }],
      unlabeledNames: [{ name: 'a/x/holiday.jpg', reason: expect.stringMatching(/not a UTKFace name/) }],
      conflictsCount: 1,
    });
    const deep = await prisma.image.findFirstOrThrow({ where: { sourceName: 'a/b/c/20_0_2_20170101000000001.jpg.chip.jpg' }, include: { faces: true, dataset: true } });
    expect(deep.dataset.name).toBe('Job set');
    expect(deep.faces).toMatchObject([{ age: 20, gender: 'MALE', race: 'ASIAN', status: 'IMPORTED' }]);
    expect(uploads()).toEqual([]); // the upload is removed once the job has ended
    const list = (await (await listRoute(request('/api/imports', { cookie: curator }), ctx())).json()).imports as ImportJobView[];
    expect(list[0]).toMatchObject({ id: queued.id, status: 'SUCCEEDED' });
  });

  it('dry run as a job: reports, writes nothing', async () => {
    const before = await prisma.image.count();
    const res = await send(await yazlZip([{ name: '30_1_3_20170101000000009.jpg', data: variant(9) }]), 'dry.zip', '?dataset=Dry&dryRun=1');
    const id = ((await res.json()).import as ImportJobView).id;
    await runOneJob(prisma, 'test-worker', handlers);
    expect((await job(id)).summary).toMatchObject({ dryRun: true, imported: 1, dataset: { name: 'Dry', created: true, id: null } });
    expect(await prisma.image.count()).toBe(before);
    expect(await prisma.dataset.findUnique({ where: { name: 'Dry' } })).toBeNull();
  });

  it('refuses other archives, unknown datasets and annotators before queueing anything', async () => {
    const gz = await send(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]), 'set.tar.gz');
    expect(gz.status).toBe(422);
    const missing = await startRoute(
      request('/api/imports', {
        method: 'POST',
        cookie: curator,
        headers: { 'x-file-name': 'a.zip', 'x-dataset-id': 'no-such-dataset', 'content-type': 'application/octet-stream' },
        body: new Uint8Array(await yazlZip([{ name: 'a.jpg', data: variant(5) }])),
      }),
      ctx(),
    );
    expect(missing.status).toBe(404);
    const annotator = await sessionCookie(await createUser('ANNOTATOR'));
    const refused = await startRoute(
      request('/api/imports', { method: 'POST', cookie: annotator, headers: { 'x-file-name': 'a.zip' }, body: new Uint8Array([1]) }),
      ctx(),
    );
    expect(refused.status).toBe(403);
    expect(await prisma.job.count({ where: { kind: 'IMPORT', status: 'QUEUED' } })).toBe(0);
    expect(uploads()).toEqual([]);
  });

  it('a queued import cancelled never runs and its upload is deleted', async () => {
    const res = await send(await yazlZip([{ name: '31_1_3_20170101000000009.jpg', data: variant(11) }]), 'c.zip');
    const id = ((await res.json()).import as ImportJobView).id;
    const cancel = await cancelRoute(request(`/api/imports/${id}`, { method: 'DELETE', cookie: curator }), ctx({ id }));
    expect((await cancel.json()).outcome).toBe('cancelled');
    expect(uploads()).toEqual([]);
    expect(await runOneJob(prisma, 'test-worker', handlers)).toBe(false);
    expect((await job(id)).status).toBe('CANCELLED');
  });

  it('a running import cancelled half-way stops; every image it committed is complete', async () => {
    const total = 6000;
    const res = await send(await utkZip(total, 'cancel', 40_000), 'cancel.zip', '?dataset=Cancelled');
    const id = ((await res.json()).import as ImportJobView).id;
    const running = runOneJob(prisma, 'test-worker', handlers);
    for (let i = 0; i < 400; i++) {
      const row = await prisma.job.findUniqueOrThrow({ where: { id }, select: { progress: true, status: true } });
      if (row.progress > 0 || row.status !== 'QUEUED' && row.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const cancel = await cancelRoute(request(`/api/imports/${id}`, { method: 'DELETE', cookie: curator }), ctx({ id }));
    expect((await cancel.json()).outcome).toBe('requested');
    await running;
    expect((await job(id)).status).toBe('CANCELLED');
    const images = await prisma.image.findMany({ where: { dataset: { name: 'Cancelled' } }, select: { _count: { select: { faces: true } } } });
    expect(images.length).toBeGreaterThan(0);
    expect(images.length).toBeLessThan(total);
    expect(images.every((i) => i._count.faces === 1)).toBe(true);
    expect(uploads()).toEqual([]);
  });

  it('imports a 20,000-entry zip (the entry limit) with progress, no request waiting on it', async () => {
    const total = 20_000;
    const body = await utkZip(total, 'big', 12);
    const t0 = Date.now();
    const res = await send(body, 'big.zip', '?dataset=Big');
    expect(res.status).toBe(202);
    expect(Date.now() - t0).toBeLessThan(30_000); // the request ends with the upload
    const id = ((await res.json()).import as ImportJobView).id;
    const seen: number[] = [];
    const running = runOneJob(prisma, 'test-worker', handlers);
    let finished = false;
    void running.finally(() => (finished = true));
    while (!finished) {
      seen.push((await prisma.job.findUniqueOrThrow({ where: { id }, select: { progress: true } })).progress);
      await new Promise((r) => setTimeout(r, 100));
    }
    const done = await job(id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.summary).toMatchObject({ total, imported: total, rejectedCount: 0 });
    expect(done.summary?.error).toBeUndefined();
    expect(seen.some((p) => p > 0 && p < 1)).toBe(true); // progress was reported along the way
    expect(await prisma.face.count({ where: { image: { dataset: { name: 'Big' } }, status: 'IMPORTED' } })).toBe(total);
    // One entry more than the limit is refused as a whole, with the reason.
    const over = await send(await utkZip(total + 1, 'over', 12), 'over.zip', '?dataset=Over');
    const overId = ((await over.json()).import as ImportJobView).id;
    await runOneJob(prisma, 'test-worker', handlers);
    const refused = await job(overId);
    expect(refused.summary?.error?.message).toMatch(/20,000/);
    expect(refused.summary?.imported).toBe(0);
  }, 240_000);
});
