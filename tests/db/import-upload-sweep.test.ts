import { randomUUID } from 'node:crypto';
import { utimes } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Short leases, so a "killed" worker's job can be taken over and failed within the test.
vi.hoisted(() => {
  process.env.FACET_JOB_LEASE_MS = '900';
});

import { POST as startRoute } from '@/app/api/imports/route';
import type { ImportJobView } from '@/lib/api/imports/import-job';
import { blobs } from '@/lib/server/blobs';
import type { PrismaClient } from '@/lib/server/db';
import { DEFAULT_IMPORT_UPLOAD_GRACE_MS, importUploadGraceMs, sweepImportUploads } from '@/lib/server/jobs/import-upload-sweep';
import { claimJob, enqueueJob } from '@/lib/server/jobs/queue';
import { yazlZip } from '../unit/ingest/helpers';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

const HOUR = 60 * 60_000;
let prisma: PrismaClient;
let curator: string;

/** An upload blob as POST /api/imports leaves it, last written `ageMs` ago. */
async function upload(ageMs: number): Promise<string> {
  const key = `imports/${randomUUID()}.zip`;
  await blobs().put(key, new Uint8Array([0x50, 0x4b, 5, 6]));
  const at = new Date(Date.now() - ageMs);
  await utimes(blobs().pathFor(key), at, at);
  return key;
}

async function queueFor(key: string) {
  const params = { uploadKey: key, fileName: 'set.zip', archive: true, bytes: 4, datasetName: 'UTKFace', dryRun: false, userId: null };
  return enqueueJob(prisma, { kind: 'IMPORT', params, maxAttempts: 2 });
}

const present = (key: string) => blobs().exists(key);

beforeAll(async () => {
  prisma = await startTestApp();
  curator = await sessionCookie(await createUser('CURATOR'));
});
afterAll(stopTestApp);

describe('sweep of import uploads', () => {
  it('grace period: FACET_IMPORT_UPLOAD_GRACE_MS, 24 h by default, at least a minute', () => {
    expect(importUploadGraceMs({})).toBe(DEFAULT_IMPORT_UPLOAD_GRACE_MS);
    expect(DEFAULT_IMPORT_UPLOAD_GRACE_MS).toBe(24 * HOUR);
    expect(importUploadGraceMs({ FACET_IMPORT_UPLOAD_GRACE_MS: '7200000' })).toBe(2 * HOUR);
    expect(importUploadGraceMs({ FACET_IMPORT_UPLOAD_GRACE_MS: '0' })).toBe(60_000);
    expect(importUploadGraceMs({ FACET_IMPORT_UPLOAD_GRACE_MS: 'soon' })).toBe(DEFAULT_IMPORT_UPLOAD_GRACE_MS);
    expect(importUploadGraceMs({ FACET_IMPORT_UPLOAD_GRACE_MS: '-5' })).toBe(DEFAULT_IMPORT_UPLOAD_GRACE_MS);
  });

  it('an upload no job names is deleted once older than the grace period, kept before', async () => {
    const old = await upload(25 * HOUR);
    const young = await upload(HOUR);
    const { deleted } = await sweepImportUploads(prisma, blobs());
    expect(deleted).toEqual([old]);
    expect(await present(old)).toBe(false);
    expect(await present(young)).toBe(true);
    // A shorter grace period from the environment reaches it too.
    expect((await sweepImportUploads(prisma, blobs(), { graceMs: importUploadGraceMs({ FACET_IMPORT_UPLOAD_GRACE_MS: String(HOUR / 2) }) })).deleted).toEqual([young]);
  });

  it('an upload a queued or running job names is kept, however old', async () => {
    const queuedKey = await upload(30 * 24 * HOUR);
    const runningKey = await upload(30 * 24 * HOUR);
    const queued = await queueFor(queuedKey);
    const running = await queueFor(runningKey);
    await prisma.job.update({ where: { id: running.id }, data: { status: 'RUNNING', leaseOwner: 'w', leaseExpiresAt: new Date(Date.now() + HOUR), attempts: 1 } });
    expect((await sweepImportUploads(prisma, blobs())).deleted).toEqual([]);
    expect(await present(queuedKey)).toBe(true);
    expect(await present(runningKey)).toBe(true);
    await prisma.job.deleteMany({ where: { id: { in: [queued.id, running.id] } } });
    await sweepImportUploads(prisma, blobs());
  });

  it("a job whose worker died on its last attempt is failed by another worker; the sweep deletes its upload at once", async () => {
    const res = await startRoute(
      request('/api/imports', {
        method: 'POST',
        cookie: curator,
        headers: { 'x-file-name': 'set.zip', 'content-type': 'application/octet-stream' },
        body: new Uint8Array(await yazlZip([{ name: '20_0_2_20170101000000001.jpg', data: Buffer.from('not a jpeg') }])),
      }),
      ctx(),
    );
    expect(res.status).toBe(202);
    const { id } = (await res.json()).import as ImportJobView;
    const job = await prisma.job.findUniqueOrThrow({ where: { id }, select: { params: true } });
    const key = (job.params as { uploadKey: string }).uploadKey;
    // Two workers claim it and die without a word (no handler runs, so nothing deletes the upload).
    const t = Date.now();
    expect(await claimJob(prisma, 'dead-1', ['IMPORT'], new Date(t))).toMatchObject({ id, attempts: 1 });
    expect(await claimJob(prisma, 'dead-2', ['IMPORT'], new Date(t + 2_000))).toMatchObject({ id, attempts: 2 });
    expect(await claimJob(prisma, 'alive', ['IMPORT'], new Date(t + 4_000))).toBeNull();
    expect(await prisma.job.findUniqueOrThrow({ where: { id }, select: { status: true } })).toEqual({ status: 'FAILED' });
    expect(await present(key)).toBe(true);
    // A young upload no job names (its request is still on its way to queueing the job) stays.
    const pending = await upload(0);
    expect((await sweepImportUploads(prisma, blobs())).deleted).toEqual([key]);
    expect(await present(pending)).toBe(true);
    await blobs().delete(pending);
  });

  it('a cancelled job whose worker died keeps nothing either', async () => {
    const key = await upload(0);
    const { id } = await queueFor(key);
    const t = Date.now();
    await claimJob(prisma, 'dead', ['IMPORT'], new Date(t));
    await prisma.job.update({ where: { id }, data: { cancelRequested: true } });
    expect(await claimJob(prisma, 'alive', ['IMPORT'], new Date(t + 2_000))).toBeNull();
    expect(await prisma.job.findUniqueOrThrow({ where: { id }, select: { status: true } })).toEqual({ status: 'CANCELLED' });
    expect((await sweepImportUploads(prisma, blobs())).deleted).toEqual([key]);
  });
});
