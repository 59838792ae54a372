/**
 * Real `npm run worker` processes for database tests: each in its own process group (tsx runs the
 * worker in a child), killed with SIGKILL as a crash would, and a poll that reports the job table
 * when it times out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { config } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';

export function workerPool() {
  const children: ChildProcess[] = [];
  return {
    /** A worker on the test app's database and data dir, with `env` added. */
    start(env: Record<string, string> = {}): ChildProcess {
      const child = spawn(path.resolve('node_modules/.bin/tsx'), ['workers/worker.ts'], {
        env: { ...process.env, DATABASE_URL: config().databaseUrl, FACET_DATA_DIR: config().dataDir, ...env },
        stdio: 'ignore',
        detached: true,
      });
      children.push(child);
      return child;
    },
    kill: (child: ChildProcess) => process.kill(-child.pid!, 'SIGKILL'),
    killAll() {
      for (const child of children) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
  };
}

/** Poll `fn` every 100 ms until it returns something truthy; on timeout, throw with every job's state and log. */
export async function waitForJobs<T>(prisma: PrismaClient, what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 150_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) {
      const jobs = await prisma.job.findMany({ include: { logs: true } });
      const state = jobs.map((j) => ({ kind: j.kind, status: j.status, error: j.error, attempts: j.attempts, logs: j.logs.map((l) => l.message) }));
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
