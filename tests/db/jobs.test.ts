import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';
import { cancelJob, claimJob, enqueueJob, finishJob, heartbeat, LEASE_MS } from '@/lib/server/jobs/queue';
import { JobCancelled, runOneJob } from '@/workers/runner';
import { startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
beforeAll(async () => {
  prisma = await startTestApp();
});
afterAll(stopTestApp);

const later = (ms: number) => new Date(Date.now() + ms);

describe('job queue', () => {
  it('never hands one job to two workers, with worker processes racing', async () => {
    const jobs = await Promise.all(Array.from({ length: 30 }, () => enqueueJob(prisma, { kind: 'EXPORT', params: {} })));
    const claimers = [1, 2, 3].map(
      () =>
        new Promise<string[]>((resolve, reject) => {
          execFile(
            path.resolve('node_modules/.bin/tsx'),
            ['tests/support/claim-jobs.ts'],
            { env: { ...process.env, DATABASE_URL: config().databaseUrl } },
            (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(JSON.parse(stdout))),
          );
        }),
    );
    const claimed = (await Promise.all(claimers)).flat();
    expect(claimed.sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  it('requeues a job whose worker stopped heartbeating, and fails it once attempts are spent', async () => {
    const job = await enqueueJob(prisma, { kind: 'RESCORE', params: {}, maxAttempts: 2 });
    const first = await claimJob(prisma, 'dies-1', ['RESCORE']);
    expect(first?.id).toBe(job.id);
    expect(await claimJob(prisma, 'other', ['RESCORE'])).toBeNull(); // lease still held
    const second = await claimJob(prisma, 'dies-2', ['RESCORE'], later(LEASE_MS + 1000));
    expect(second).toMatchObject({ id: job.id, attempts: 2 });
    expect(await claimJob(prisma, 'third', ['RESCORE'], later(2 * LEASE_MS + 2000))).toBeNull();
    const failed = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(/worker stopped.*attempt 2 of 2/);
  });

  it('lets only the lease owner heartbeat or finish', async () => {
    const job = await enqueueJob(prisma, { kind: 'TRAIN', params: {} });
    await claimJob(prisma, 'owner', ['TRAIN']);
    expect((await heartbeat(prisma, job.id, 'intruder')).alive).toBe(false);
    expect(await finishJob(prisma, job.id, 'intruder', { status: 'SUCCEEDED' })).toBe(false);
    expect((await heartbeat(prisma, job.id, 'owner', { fraction: 0.5, message: 'half' })).alive).toBe(true);
    expect(await finishJob(prisma, job.id, 'owner', { status: 'SUCCEEDED', result: { ok: 1 } })).toBe(true);
    expect(await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'SUCCEEDED', progress: 1, result: { ok: 1 } });
  });

  it('runs a handler, retries a failure, then succeeds', async () => {
    const job = await enqueueJob(prisma, { kind: 'IMPORT', params: { n: 1 } });
    let calls = 0;
    const handlers = {
      IMPORT: async () => {
        calls++;
        if (calls === 1) throw new Error('disk hiccup');
        return { done: true };
      },
    };
    expect(await runOneJob(prisma, 'w', handlers)).toBe(true);
    const retrying = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(retrying).toMatchObject({ status: 'QUEUED', error: 'disk hiccup', attempts: 1 });
    await prisma.job.update({ where: { id: job.id }, data: { runAfter: new Date(0) } });
    expect(await runOneJob(prisma, 'w', handlers)).toBe(true);
    expect(await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'SUCCEEDED', result: { done: true } });
    const logs = await prisma.jobLog.findMany({ where: { jobId: job.id }, orderBy: { id: 'asc' } });
    expect(logs.map((l) => l.message).join('\n')).toMatch(/failed, will retry: disk hiccup[\s\S]*succeeded/);
  });

  it('cancels a queued job at once and stops a running one at its next heartbeat', async () => {
    const queued = await enqueueJob(prisma, { kind: 'EXPORT', params: {} });
    expect(await cancelJob(prisma, queued.id)).toBe('cancelled');
    expect((await prisma.job.findUniqueOrThrow({ where: { id: queued.id } })).status).toBe('CANCELLED');

    const running = await enqueueJob(prisma, { kind: 'TRAIN', params: {} });
    const started = Date.now();
    await runOneJob(prisma, 'w', {
      TRAIN: async (ctx) => {
        await cancelJob(prisma, running.id);
        while (!ctx.signal.aborted) await new Promise((r) => setTimeout(r, 50));
        throw new JobCancelled();
      },
    });
    expect(Date.now() - started).toBeLessThan(LEASE_MS);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: running.id } })).status).toBe('CANCELLED');
  });
});
