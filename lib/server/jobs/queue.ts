import type { Prisma } from '@/prisma/generated/sqlite/client';
import { config } from '../config';
import type { PrismaClient } from '../db/client';
import { providerOf } from '../db/provider';

/**
 * A job table serving every kind of background work. Workers claim jobs with a compare-and-set
 * update (portable across SQLite and PostgreSQL), hold them under a lease renewed by heartbeats,
 * and a job whose lease ran out (its worker died) is claimed again until maxAttempts is spent.
 */
export type JobKind = 'TRAIN' | 'EXPORT' | 'RESCORE' | 'IMPORT' | 'FEATURES';
export const LEASE_MS = Number(process.env.FACET_JOB_LEASE_MS ?? 30_000);

export const jobSelect = {
  id: true,
  kind: true,
  status: true,
  params: true,
  progress: true,
  progressMessage: true,
  attempts: true,
  maxAttempts: true,
  result: true,
  error: true,
  cancelRequested: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  createdById: true,
} as const;

export async function enqueueJob(
  prisma: PrismaClient,
  input: { kind: JobKind; params: Prisma.InputJsonValue; createdById?: string | null; maxAttempts?: number },
) {
  return prisma.job.create({
    data: { kind: input.kind, params: input.params, createdById: input.createdById ?? null, maxAttempts: input.maxAttempts ?? 3 },
    select: jobSelect,
  });
}

export type ClaimedJob = { id: string; kind: JobKind; params: unknown; attempts: number; maxAttempts: number };

/** Claims the oldest runnable job of the given kinds for `owner`, or returns null. */
export async function claimJob(prisma: PrismaClient, owner: string, kinds: JobKind[], now = new Date()): Promise<ClaimedJob | null> {
  await failExhausted(prisma, now);
  for (let tries = 0; tries < 5; tries++) {
    const candidate = await prisma.job.findFirst({
      where: {
        kind: { in: kinds },
        cancelRequested: false,
        attempts: { lt: prisma.job.fields.maxAttempts },
        OR: [
          { status: 'QUEUED', runAfter: { lte: now } },
          { status: 'RUNNING', leaseExpiresAt: { lt: now } },
        ],
      },
      orderBy: { createdAt: 'asc' },
      select: { id: true, status: true, leaseOwner: true, attempts: true, maxAttempts: true },
    });
    if (!candidate) return null;
    // Compare-and-set: only succeeds if nobody changed the row since we read it.
    const { count } = await prisma.job.updateMany({
      where: { id: candidate.id, status: candidate.status, attempts: candidate.attempts, leaseOwner: candidate.leaseOwner },
      data: {
        status: 'RUNNING',
        leaseOwner: owner,
        leaseExpiresAt: new Date(now.getTime() + LEASE_MS),
        heartbeatAt: now,
        attempts: { increment: 1 },
        startedAt: now,
      },
    });
    if (count === 1) {
      const job = await prisma.job.findUniqueOrThrow({ where: { id: candidate.id }, select: { id: true, kind: true, params: true, attempts: true, maxAttempts: true } });
      if (candidate.status === 'RUNNING') await logJob(prisma, job.id, 'warn', `previous worker ${candidate.leaseOwner} stopped answering; attempt ${job.attempts} of ${job.maxAttempts}`);
      return job as ClaimedJob;
    }
  }
  return null;
}

/** Jobs whose worker died on their last attempt fail with a clear error instead of looping forever. */
async function failExhausted(prisma: PrismaClient, now: Date): Promise<void> {
  const dead = await prisma.job.findMany({
    where: { status: 'RUNNING', leaseExpiresAt: { lt: now } },
    select: { id: true, attempts: true, maxAttempts: true, leaseOwner: true, cancelRequested: true },
  });
  for (const job of dead) {
    if (job.cancelRequested) {
      await finishJob(prisma, job.id, job.leaseOwner, { status: 'CANCELLED' });
    } else if (job.attempts >= job.maxAttempts) {
      await finishJob(prisma, job.id, job.leaseOwner, {
        status: 'FAILED',
        error: `The worker stopped (killed or crashed) during attempt ${job.attempts} of ${job.maxAttempts}; giving up.`,
      });
    }
  }
}

/** Renews the lease and records progress; false when the lease was lost (another worker took over). */
export async function heartbeat(
  prisma: PrismaClient,
  id: string,
  owner: string,
  progress?: { fraction?: number; message?: string },
  now = new Date(),
): Promise<{ alive: boolean; cancelRequested: boolean }> {
  const { count } = await prisma.job.updateMany({
    where: { id, leaseOwner: owner, status: 'RUNNING' },
    data: {
      heartbeatAt: now,
      leaseExpiresAt: new Date(now.getTime() + LEASE_MS),
      ...(progress?.fraction !== undefined ? { progress: Math.max(0, Math.min(1, progress.fraction)) } : {}),
      ...(progress?.message !== undefined ? { progressMessage: progress.message.slice(0, 500) } : {}),
    },
  });
  if (count === 0) return { alive: false, cancelRequested: false };
  const row = await prisma.job.findUnique({ where: { id }, select: { cancelRequested: true } });
  return { alive: true, cancelRequested: Boolean(row?.cancelRequested) };
}

type Finish =
  | { status: 'SUCCEEDED'; result?: Prisma.InputJsonValue }
  | { status: 'FAILED' | 'CANCELLED'; error?: string }
  | { status: 'QUEUED'; error: string; retryAt: Date };

/** Ends (or requeues) a job; only the lease owner may. */
export async function finishJob(prisma: PrismaClient, id: string, owner: string | null, outcome: Finish): Promise<boolean> {
  const done = outcome.status !== 'QUEUED';
  const { count } = await prisma.job.updateMany({
    where: { id, leaseOwner: owner, status: 'RUNNING' },
    data: {
      status: outcome.status,
      leaseOwner: null,
      leaseExpiresAt: null,
      ...(done ? { finishedAt: new Date() } : { runAfter: outcome.retryAt }),
      ...(outcome.status === 'SUCCEEDED' ? { progress: 1, result: outcome.result ?? {}, error: null } : {}),
      ...('error' in outcome && outcome.error ? { error: outcome.error.slice(0, 4000) } : {}),
    },
  });
  return count === 1;
}

/** Cancels a queued job at once, or asks its worker to stop (it notices at its next heartbeat). */
export async function cancelJob(prisma: PrismaClient, id: string): Promise<'cancelled' | 'requested' | 'finished'> {
  const queued = await prisma.job.updateMany({
    where: { id, status: 'QUEUED' },
    data: { status: 'CANCELLED', cancelRequested: true, finishedAt: new Date() },
  });
  if (queued.count === 1) return 'cancelled';
  const running = await prisma.job.updateMany({ where: { id, status: 'RUNNING' }, data: { cancelRequested: true } });
  return running.count === 1 ? 'requested' : 'finished';
}

export async function logJob(prisma: PrismaClient, jobId: string, level: 'info' | 'warn' | 'error', message: string) {
  await prisma.jobLog.create({ data: { jobId, level, message: message.slice(0, 2000) } });
}

/** Advisory-lock keys (PostgreSQL) of the enqueues that check the table before inserting. */
export const QUEUE_LOCK = { rounds: 727275, features: 727276 } as const;

/**
 * `fn` in a transaction that first takes a lock, so that its "nothing like it queued? then insert"
 * cannot interleave with another's: PostgreSQL's transaction-scoped advisory lock `key`; on SQLite a
 * no-op write, which takes the database's single write lock at once.
 */
export function withQueueLock<T>(prisma: PrismaClient, key: number, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  const postgres = providerOf(config().databaseUrl) === 'postgresql';
  return prisma.$transaction(async (tx) => {
    if (postgres) await tx.$queryRawUnsafe(`SELECT 1 AS ok FROM (SELECT pg_advisory_xact_lock(${key})) AS l`);
    else await tx.$executeRawUnsafe('UPDATE "Job" SET "id" = "id" WHERE 1 = 0');
    return fn(tx as Prisma.TransactionClient);
  });
}
