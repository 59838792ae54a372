/**
 * Features computed ahead of the round (workers/jobs/prefetch-features.ts) under real worker
 * processes: an idle worker fills the feature cache for labeled faces, a worker killed mid-job
 * leaves a job that is taken over and completed, the following round extracts nothing, a round
 * started during a features job makes it yield, and TRAIN is always claimed before FEATURES.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRound } from '@/lib/api/models/start-round';
import { RoundParams } from '@/lib/api/models/schemas';
import type { PrismaClient } from '@/lib/server/db';
import { enqueueJob } from '@/lib/server/jobs/queue';
import { blobs } from '@/lib/server/blobs';
import { featureCacheBase } from '@/workers/jobs/train-round';
import { featuresMissing, queueFeaturesIfNeeded } from '@/workers/jobs/prefetch-features';
import { runOneJob } from '@/workers/runner';
import { createUser, startTestApp, stopTestApp } from '../support/test-app';
import { waitForJobs, workerPool } from '../support/worker-process';
import { relabel, seedLabeledFaces } from './rounds-fixtures';

let prisma: PrismaClient;
let userId: string;
let faceIds: string[];
const workers = workerPool();
const FEATURE_ENV = {
  FACET_JOB_LEASE_MS: '15000', // backbone loading blocks the event loop for seconds on a loaded machine
  FACET_FEATURE_PREFETCH_IDLE_MS: '0',
  FACET_FEATURE_PREFETCH_SETTLE_MS: '0',
  FACET_FEATURE_PREFETCH_CHECK_MS: '200',
  FACET_FEATURE_BATCH: '4', // ten progress steps for 40 faces (~0.25 s each here)
  // Looks for waiting work well within one batch (~0.5 s), so a round queued mid-job is seen before the last batch ends.
  FACET_FEATURE_YIELD_POLL_MS: '100',
};
const startWorker = () => workers.start(FEATURE_ENV);
const kill = workers.kill;
const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs?: number) => waitForJobs(prisma, what, fn, timeoutMs);

const featuresJob = () => prisma.job.findFirst({ where: { kind: 'FEATURES' }, orderBy: { createdAt: 'desc' } });
const logsOf = async (jobId: string) => (await prisma.jobLog.findMany({ where: { jobId }, orderBy: { id: 'asc' } })).map((l) => l.message).join('\n');

beforeAll(async () => {
  prisma = await startTestApp();
  userId = (await createUser('MAINTAINER')).id;
  faceIds = await seedLabeledFaces(prisma, userId);
}, 180_000);

afterAll(async () => {
  workers.killAll();
  await stopTestApp();
});

describe('features computed ahead of the round', () => {
  it('claims a TRAIN job before an older FEATURES job', async () => {
    const features = await enqueueJob(prisma, { kind: 'FEATURES', params: { name: 'agegender' } });
    await new Promise((r) => setTimeout(r, 20));
    const train = await enqueueJob(prisma, { kind: 'TRAIN', params: { name: 'agegender' } });
    const ran: string[] = [];
    const record = async (ctx: { job: { id: string } }) => void ran.push(ctx.job.id);
    await runOneJob(prisma, 'test-owner', { FEATURES: record, TRAIN: record });
    await runOneJob(prisma, 'test-owner', { FEATURES: record, TRAIN: record });
    expect(ran).toEqual([train.id, features.id]);
    await prisma.job.deleteMany({});
  });

  it('an idle worker fills the cache; killed mid-job, the job is taken over and completed; the round then extracts nothing', async () => {
    expect(await featuresMissing(prisma)).toBe(faceIds.length);
    const first = startWorker();
    const job = await waitFor('a features job under way', async () => {
      const j = await featuresJob();
      return j?.status === 'RUNNING' && j.progress > 0 && j.progress < 1 ? j : null;
    });
    kill(first); // SIGKILL mid-extraction: no clean-up runs, the cache's lock file stays
    startWorker();
    const done = await waitFor('the features job to be taken over and finish', async () => {
      const j = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      return j.status === 'SUCCEEDED' ? j : null;
    });
    expect(done.attempts).toBe(2);
    expect(await logsOf(job.id)).toMatch(/stopped answering/);
    expect(await featuresMissing(prisma)).toBe(0);
    expect(await prisma.job.count({ where: { kind: 'FEATURES' } })).toBe(1); // nothing left to queue

    const { job: round } = await startRound(prisma, RoundParams.parse({ epochs: 3 }), userId);
    await waitFor('the round', async () => ((await prisma.job.findUniqueOrThrow({ where: { id: round.id } })).status === 'SUCCEEDED' ? true : null));
    expect(await logsOf(round.id)).toMatch(new RegExp(`features ready: 0 extracted, ${faceIds.length} from cache`));
  }, 300_000);

  it('a round started during a features job makes it yield at once', async () => {
    rmSync(featureCacheBase(), { recursive: true, force: true });
    await relabel(prisma, faceIds); // new labels for the round (and a changed label set for the idle check)
    // Early in the job, so several batches are left when the round is queued (from later on, the last
    // batch can end before the job's next look for waiting work: it then finishes instead of yielding).
    // Read from the cache itself: the job's progress reaches the table only with its heartbeat (2 s).
    const job = await waitFor('a new features job under way', async () => {
      const j = await featuresJob();
      const missing = j?.status === 'RUNNING' ? await featuresMissing(prisma) : null;
      return missing !== null && missing < faceIds.length && missing >= faceIds.length - 16 ? j : null;
    });
    const { job: round } = await startRound(prisma, RoundParams.parse({ epochs: 3 }), userId);
    const yielded = await waitFor('the features job to yield', async () => {
      const j = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
      return j.status === 'SUCCEEDED' ? j : null;
    }, 60_000);
    expect(yielded.result).toMatchObject({ yielded: true });
    const train = await waitFor('the round', async () => {
      const j = await prisma.job.findUniqueOrThrow({ where: { id: round.id } });
      return j.status === 'SUCCEEDED' ? j : null;
    });
    expect(train.startedAt!.getTime()).toBeGreaterThanOrEqual(yielded.finishedAt!.getTime() - 1000);
    const extracted = Number((await logsOf(round.id)).match(/features ready: (\d+) extracted/)![1]);
    expect(extracted).toBeGreaterThan(0);
    expect(extracted).toBeLessThan(faceIds.length);
  }, 300_000);

  it('skips faces whose image file is gone and faces deleted meanwhile', async () => {
    rmSync(featureCacheBase(), { recursive: true, force: true });
    const [gone, deleted] = await prisma.face.findMany({ where: { id: { in: faceIds } }, take: 2, orderBy: { id: 'asc' }, select: { id: true, image: { select: { storageKey: true } } } });
    await blobs().delete(gone.image.storageKey);
    await prisma.face.delete({ where: { id: deleted.id } });
    await relabel(prisma, faceIds);
    const done = await waitFor('a features job to finish', async () => {
      const j = await featuresJob();
      return j && j.status === 'SUCCEEDED' && (j.result as { skipped?: number }).skipped !== undefined && j.createdAt.getTime() > Date.now() - 120_000 ? j : null;
    });
    expect(done.result).toMatchObject({ extracted: faceIds.length - 2, skipped: 1 });
    expect(await featuresMissing(prisma)).toBe(1); // the face without an image file
    await new Promise((r) => setTimeout(r, 2000)); // idle checks every 200 ms: none queues it again
    expect((await featuresJob())!.id).toBe(done.id);
  }, 300_000);

  it('waits for a lull while annotators label faster than FACET_FEATURE_PREFETCH_BUSY_PER_MIN', async () => {
    workers.killAll(); // this process decides alone now
    rmSync(featureCacheBase(), { recursive: true, force: true });
    await relabel(prisma, faceIds); // every face labeled within the last minute
    const queued = () => prisma.job.count({ where: { kind: 'FEATURES', status: 'QUEUED' } });
    process.env.FACET_FEATURE_PREFETCH_BUSY_PER_MIN = String(faceIds.length - 5);
    try {
      expect(await queueFeaturesIfNeeded(prisma, 60_000)).toBeNull();
      expect(await queued()).toBe(0);
      process.env.FACET_FEATURE_PREFETCH_BUSY_PER_MIN = String(faceIds.length + 5);
      expect(await queueFeaturesIfNeeded(prisma, 60_000, Date.now() + 6_000)).toEqual(expect.any(String));
      expect(await queued()).toBe(1);
    } finally {
      delete process.env.FACET_FEATURE_PREFETCH_BUSY_PER_MIN;
    }
  }, 60_000);
});
