import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExport } from '@/lib/api/exports/start-export';
import { ExportParams } from '@/lib/api/exports/schemas';
import { ageToBin } from '@/lib/domain/age-bins';
import { storeImage } from '@/lib/api/images/store-image';
import { blobs } from '@/lib/server/blobs';
import { config } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';
import { normalizeImage } from '@/lib/server/ingest/normalize-image';
import { createUser, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let userId: string;
const children: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(path.resolve('node_modules/.bin/tsx'), ['workers/worker.ts'], {
    env: { ...process.env, DATABASE_URL: config().databaseUrl, FACET_DATA_DIR: config().dataDir, FACET_JOB_LEASE_MS: '3000' },
    stdio: 'ignore',
    detached: true, // its own process group: tsx runs the worker in a child process
  });
  children.push(child);
  return child;
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  prisma = await startTestApp();
  userId = (await createUser('CURATOR')).id;
  const dataset = await prisma.dataset.findFirstOrThrow();
  // Enough faces that an export takes a few seconds: 20 photos × 40 faces.
  for (let i = 0; i < 20; i++) {
    const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: i * 5, g: 100, b: 50 }, noise: { type: 'gaussian', mean: 120, sigma: 30 } } }).jpeg().toBuffer();
    const normalized = await normalizeImage(photo);
    if (!normalized.ok) throw new Error(normalized.message);
    const { imageId } = await storeImage(prisma, normalized, `p${i}.jpg`, { datasetId: dataset.id, uploadedById: userId });
    await prisma.face.createMany({
      data: Array.from({ length: 40 }, (_, f) => ({
        imageId, x: (f % 8) * 70, y: Math.floor(f / 8) * 80, w: 60, h: 70, gender: f % 2 ? 'FEMALE' : 'MALE',
        age: 20 + f, ageBin: ageToBin(20 + f), race: 'WHITE', status: 'LABELED', labeledAt: new Date(Date.UTC(2026, 0, 1, 0, 0, f)),
      })) as never,
    });
  }
}, 180_000);

afterAll(async () => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await stopTestApp();
});

describe('a worker killed mid-export', () => {
  it('is detected, the export is retried by another worker, and no partial zip is ever offered', async () => {
    const record = await startExport(prisma, ExportParams.parse({ options: { size: 128 } }), userId);
    const first = startWorker();
    await waitFor('the export to be half-way', async () => {
      const job = await prisma.job.findUniqueOrThrow({ where: { id: record.job.id } });
      return job.status === 'RUNNING' && job.progress > 0.1 && job.progress < 0.9;
    });
    process.kill(-first.pid!, 'SIGKILL');
    const midway = await prisma.export.findUniqueOrThrow({ where: { id: record.id } });
    expect(midway.storageKey).toBeNull();

    startWorker();
    const done = await waitFor('the retried export', async () => {
      const job = await prisma.job.findUniqueOrThrow({ where: { id: record.job.id } });
      return job.status === 'SUCCEEDED' ? job : null;
    }, 120_000);
    expect(done.attempts).toBe(2);
    const finished = await prisma.export.findUniqueOrThrow({ where: { id: record.id } });
    expect(finished.counts).toMatchObject({ faces: 800, utkFiles: 800 });
    expect(await blobs().exists(finished.storageKey!)).toBe(true);
    const logs = await prisma.jobLog.findMany({ where: { jobId: record.job.id } });
    expect(logs.some((l) => /stopped answering/.test(l.message))).toBe(true);
    const keys: string[] = [];
    for await (const key of blobs().list('exports/')) keys.push(key);
    expect(keys).toEqual([finished.storageKey]);
  }, 240_000);
});
