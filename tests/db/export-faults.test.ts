import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Heartbeats (progress, cancel checks) every 300 ms instead of every 2 s; read when the queue loads.
vi.hoisted(() => {
  process.env.FACET_JOB_LEASE_MS = '900';
});

import { POST as startRoute } from '@/app/api/exports/route';
import { DELETE as cancelRoute } from '@/app/api/exports/[id]/route';
import { GET as downloadRoute } from '@/app/api/exports/[id]/download/route';
import { importUtkface } from '@/lib/api/imports/import-utkface';
import { directorySource } from '@/lib/api/imports/sources';
import { config } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';
import { DEFAULT_LIMITS } from '@/lib/server/ingest/limits';
import { handlers } from '@/workers/handlers';
import { runOneJob } from '@/workers/runner';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

const FACES = 2000;
let prisma: PrismaClient;
let curator: string;
let work: string;

async function start(body: object) {
  const res = await startRoute(request('/api/exports', { method: 'POST', cookie: curator, body }), ctx());
  expect(res.status).toBe(202);
  return (await res.json()).export.id as string;
}

function tempFiles(): string[] {
  const dir = path.join(config().storageDir, '.tmp');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function exportFiles(): string[] {
  const dir = path.join(config().storageDir, 'exports');
  return existsSync(dir) ? readdirSync(dir) : [];
}

async function download(id: string) {
  return downloadRoute(request(`/api/exports/${id}/download`, { cookie: curator }), ctx({ id }));
}

beforeAll(async () => {
  prisma = await startTestApp();
  curator = await sessionCookie(await createUser('CURATOR'));
  // 2,000 imported faces on distinct small JPEGs (a varied quantization table: cheap, still valid).
  work = await mkdtemp(path.join(os.tmpdir(), 'facet-export-faults-'));
  const base = await sharp({ create: { width: 48, height: 48, channels: 3, background: '#806040' } }).jpeg({ quality: 80 }).toBuffer();
  const table = base.indexOf(Buffer.from([0xff, 0xdb])) + 5;
  mkdirSync(path.join(work, 'set'));
  for (let k = 0; k < FACES; k++) {
    const data = Buffer.from(base);
    data[table + 1] = 1 + (k % 250);
    data[table + 2] = 1 + Math.floor(k / 250);
    writeFileSync(path.join(work, 'set', `${20 + (k % 50)}_${k % 2}_${k % 5}_20170101${String(k).padStart(9, '0')}.jpg`), data);
  }
  const summary = await importUtkface(prisma, directorySource(path.join(work, 'set'), DEFAULT_LIMITS), { datasetName: 'Many' });
  expect(summary.imported).toBe(FACES);
}, 120_000);
afterAll(async () => {
  delete process.env.FACET_TEST_DISK_FULL_AFTER_BYTES;
  await stopTestApp();
  await rm(work, { recursive: true, force: true });
});

describe('export faults', () => {
  it('cancelled half-way: stops, offers no file, leaves no temp file', async () => {
    // 64 px crops of 48 px images: every face is decoded and re-encoded, so the job takes a while.
    const id = await start({ options: { size: 64 } });
    const record = await prisma.export.findUniqueOrThrow({ where: { id }, select: { jobId: true } });
    const running = runOneJob(prisma, 'test-worker', handlers);
    let progress = 0;
    for (let i = 0; i < 600 && progress === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      progress = (await prisma.job.findUniqueOrThrow({ where: { id: record.jobId } })).progress;
    }
    expect(progress).toBeGreaterThan(0);
    expect(progress).toBeLessThan(1);
    const cancel = await cancelRoute(request(`/api/exports/${id}`, { method: 'DELETE', cookie: curator }), ctx({ id }));
    expect((await cancel.json()).outcome).toBe('requested');
    await running;
    const after = await prisma.export.findUniqueOrThrow({ where: { id }, include: { job: true } });
    expect(after.job.status).toBe('CANCELLED');
    expect(after.storageKey).toBeNull();
    expect(after.finishedAt).toBeNull();
    expect((await download(id)).status).toBe(409);
    expect(await prisma.exportItem.count({ where: { exportId: id } })).toBe(0);
    expect(tempFiles()).toEqual([]);
    expect(exportFiles()).toEqual([]);
  }, 120_000);

  it('disk full while writing: a clear error, no file offered, nothing half-written left', async () => {
    process.env.FACET_TEST_DISK_FULL_AFTER_BYTES = String(256 * 1024);
    try {
      const id = await start({ options: { size: 200 } });
      expect(await runOneJob(prisma, 'test-worker', handlers)).toBe(true);
      const after = await prisma.export.findUniqueOrThrow({ where: { id }, include: { job: true } });
      expect(after.job.error).toBe('The disk is full; the export was abandoned and nothing was kept.');
      expect(['QUEUED', 'FAILED']).toContain(after.job.status); // retried later: space may have been freed
      expect(after.storageKey).toBeNull();
      expect((await download(id)).status).toBe(409);
      expect(tempFiles()).toEqual([]);
      expect(exportFiles()).toEqual([]);
      const logs = await prisma.jobLog.findMany({ where: { jobId: after.jobId }, orderBy: { id: 'asc' } });
      expect(logs.at(-1)?.message).toMatch(/disk is full/);
      // With space again, the retry completes the export.
      delete process.env.FACET_TEST_DISK_FULL_AFTER_BYTES;
      await prisma.job.update({ where: { id: after.jobId }, data: { runAfter: new Date() } });
      expect(await runOneJob(prisma, 'test-worker', handlers)).toBe(true);
      const retried = await prisma.export.findUniqueOrThrow({ where: { id }, include: { job: true } });
      expect(retried.job.status).toBe('SUCCEEDED');
      expect(retried.counts).toMatchObject({ faces: FACES, utkFiles: FACES });
      expect((await download(id)).status).toBe(200);
      expect(tempFiles()).toEqual([]);
    } finally {
      delete process.env.FACET_TEST_DISK_FULL_AFTER_BYTES;
    }
  }, 120_000);

  it('started twice while pending: refused the second time', async () => {
    const id = await start({ options: { size: 100 } });
    const twice = await startRoute(request('/api/exports', { method: 'POST', cookie: curator, body: { options: { size: 100 } } }), ctx());
    expect(twice.status).toBe(409);
    expect((await twice.json()).error.details.exportId).toBe(id);
    // Other settings are another export.
    expect((await startRoute(request('/api/exports', { method: 'POST', cookie: curator, body: { options: { size: 101 } } }), ctx())).status).toBe(202);
  });
});
