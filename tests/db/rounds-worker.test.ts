import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRound } from '@/lib/api/models/start-round';
import { RoundParams } from '@/lib/api/models/schemas';
import type { PrismaClient } from '@/lib/server/db';
import { cancelJob } from '@/lib/server/jobs/queue';
import { modelStoreRoot } from '@/lib/server/models/store';
import { createUser, startTestApp, stopTestApp } from '../support/test-app';
import { waitForJobs, workerPool } from '../support/worker-process';
import { seedLabeledFaces } from './rounds-fixtures';

let prisma: PrismaClient;
let userId: string;
const workers = workerPool();
/** Lease 20 s: loading the backbones blocks a worker's event loop for seconds on a loaded machine. */
const startWorker = () => workers.start({ FACET_JOB_LEASE_MS: '20000' });
const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 120_000) => waitForJobs(prisma, what, fn, timeoutMs);

const epochLogs = (jobId: string) => prisma.jobLog.count({ where: { jobId, message: { startsWith: 'epoch ' } } });
const storeEntries = () => (existsSync(path.join(modelStoreRoot(), 'agegender')) ? readdirSync(path.join(modelStoreRoot(), 'agegender')) : []);

beforeAll(async () => {
  prisma = await startTestApp();
  userId = (await createUser('MAINTAINER')).id;
  await seedLabeledFaces(prisma, userId);
}, 180_000);

afterAll(async () => {
  workers.killAll();
  await stopTestApp();
});

describe('a round under real worker processes', () => {
  it('two workers never run the same round; a worker killed mid-round leaves no version and the round is taken over, then cancelled', async () => {
    const { job } = await startRound(prisma, RoundParams.parse({ epochs: 500, patience: 500 }), userId);
    const first = startWorker();
    const second = startWorker();
    await waitFor('training epochs', async () => (await epochLogs(job.id)) >= 2);
    const starts = await prisma.jobLog.findMany({ where: { jobId: job.id, message: { contains: 'started by' } } });
    expect(starts).toHaveLength(1);
    const owner = (await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).leaseOwner!;
    // Kill both workers mid-round (SIGKILL: no clean-up runs).
    for (const c of [first, second]) workers.kill(c);
    expect(storeEntries().filter((e) => /^r\d+$/.test(e))).toEqual([]);
    expect(await prisma.modelVersion.count({ where: { jobId: job.id } })).toBe(0);
    startWorker();

    // The lease runs out; the new worker takes the round over as attempt 2.
    const resumed = await waitFor('the round to be taken over', async () => {
      const j = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      const started = await prisma.jobLog.count({ where: { jobId: job.id, message: { contains: 'started by' } } });
      return j.status === 'RUNNING' && j.attempts === 2 && j.leaseOwner !== owner && started === 2 ? j : null;
    });
    expect(resumed.attempts).toBe(2);
    const logs = await prisma.jobLog.findMany({ where: { jobId: job.id } });
    expect(logs.map((l) => l.message).join('\n')).toMatch(/stopped answering/);

    const before = await epochLogs(job.id);
    await waitFor('training on attempt 2', async () => (await epochLogs(job.id)) >= before + 2);
    const t0 = Date.now();
    expect(await cancelJob(prisma, job.id)).toBe('requested');
    await waitFor('the cancel', async () => (await prisma.job.findUniqueOrThrow({ where: { id: job.id } })).status === 'CANCELLED', 20_000);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(storeEntries().filter((e) => /^r\d+$/.test(e))).toEqual([]);
    expect(await prisma.modelVersion.count({ where: { name: 'agegender' } })).toBe(1); // r0 only
  }, 300_000);
});
