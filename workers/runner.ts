import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { PrismaClient } from '@/lib/server/db';
import { type ClaimedJob, type JobKind, LEASE_MS, claimJob, finishJob, heartbeat, logJob } from '@/lib/server/jobs/queue';

/** What a job handler gets: its params, a way to report progress, and a signal that fires on cancel. */
export type JobContext = {
  job: ClaimedJob;
  prisma: PrismaClient;
  signal: AbortSignal;
  progress(fraction: number, message?: string): void;
  log(message: string, level?: 'info' | 'warn' | 'error'): Promise<void>;
};
export type JobHandler = (ctx: JobContext) => Promise<unknown>;
export type Handlers = Partial<Record<JobKind, JobHandler>>;

export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** A failure that another attempt cannot fix (bad input, NaN loss): the job fails at once, no retry. */
export class PermanentJobError extends Error {}

export const workerId = () => `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** Idle-time kinds: claimed only when no other job is runnable, whatever their age. */
export const BACKGROUND_KINDS: readonly JobKind[] = ['FEATURES'];

/**
 * Claims and runs one job; returns false when there was nothing to do. Background kinds
 * (FEATURES) come after every other runnable job. Heartbeats renew the lease every third of it,
 * carry the latest progress, and abort the handler on cancel or when the lease was lost.
 */
export async function runOneJob(prisma: PrismaClient, owner: string, handlers: Handlers): Promise<boolean> {
  const kinds = Object.keys(handlers) as JobKind[];
  const first = kinds.filter((k) => !BACKGROUND_KINDS.includes(k));
  const later = kinds.filter((k) => BACKGROUND_KINDS.includes(k));
  const job = (first.length ? await claimJob(prisma, owner, first) : null) ?? (later.length ? await claimJob(prisma, owner, later) : null);
  if (!job) return false;
  const controller = new AbortController();
  let latest: { fraction?: number; message?: string } = {};
  let cancelled = false;
  const beat = async () => {
    const state = await heartbeat(prisma, job.id, owner, latest).catch(() => ({ alive: true, cancelRequested: false }));
    if (!state.alive || state.cancelRequested) {
      cancelled = state.cancelRequested;
      controller.abort();
    }
  };
  // Frequent enough that a cancel stops the job within about two seconds.
  const timer = setInterval(beat, Math.max(250, Math.min(2_000, Math.floor(LEASE_MS / 3))));
  const ctx: JobContext = {
    job,
    prisma,
    signal: controller.signal,
    progress: (fraction, message) => {
      latest = { fraction, message };
    },
    log: (message, level = 'info') => logJob(prisma, job.id, level, message),
  };
  try {
    await logJob(prisma, job.id, 'info', `attempt ${job.attempts} started by ${owner}`);
    const result = await handlers[job.kind]!(ctx);
    clearInterval(timer);
    await beat();
    if (cancelled) throw new JobCancelled();
    await finishJob(prisma, job.id, owner, { status: 'SUCCEEDED', result: (result ?? {}) as object });
    await logJob(prisma, job.id, 'info', 'succeeded');
  } catch (error) {
    clearInterval(timer);
    if (cancelled || error instanceof JobCancelled) {
      await finishJob(prisma, job.id, owner, { status: 'CANCELLED', error: 'Cancelled by a user' });
      await logJob(prisma, job.id, 'warn', 'cancelled');
    } else {
      const message = error instanceof Error ? error.message : String(error);
      const retry = job.attempts < job.maxAttempts && !(error instanceof PermanentJobError);
      await finishJob(
        prisma,
        job.id,
        owner,
        retry ? { status: 'QUEUED', error: message, retryAt: new Date(Date.now() + 2_000 * 2 ** job.attempts) } : { status: 'FAILED', error: message },
      );
      await logJob(prisma, job.id, 'error', `${retry ? 'failed, will retry' : 'failed'}: ${message}`);
    }
  } finally {
    clearInterval(timer);
  }
  return true;
}

/**
 * Runs jobs until `signal` aborts, polling when idle. `onIdle(idleSinceMs)` runs after each empty
 * poll (the worker queues background work there, e.g. feature extraction for new labels).
 */
export async function workLoop(
  prisma: PrismaClient,
  handlers: Handlers,
  signal: AbortSignal,
  idleMs = 1000,
  onIdle?: (idleForMs: number) => Promise<unknown>,
): Promise<void> {
  const owner = workerId();
  let idleSince: number | null = null;
  while (!signal.aborted) {
    const didWork = await runOneJob(prisma, owner, handlers).catch((error) => {
      console.error('[worker] error', error);
      return false;
    });
    if (didWork) {
      idleSince = null;
      continue;
    }
    idleSince ??= Date.now();
    await onIdle?.(Date.now() - idleSince).catch((error) => console.error('[worker] idle task failed', error));
    await new Promise((r) => setTimeout(r, idleMs));
  }
}
