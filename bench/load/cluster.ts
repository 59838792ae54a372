import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../tests/support/server';

/**
 * Facet's production processes for the bench: N `next start` web instances on loopback ports and
 * M workers, all on one database and one data directory (the shared image store), as several
 * machines behind a load balancer would be. Each process is its own group so it can be killed whole.
 */
export type Cluster = { urls: string[]; webGroups: number[]; workerGroups: number[]; stop: () => Promise<void>; logs: () => string };

/** FACET_APP_DIR: run another copy of the build (e.g. a snapshot of `.next`) instead of this checkout's. */
const root = process.env.FACET_APP_DIR || path.resolve(__dirname, '../..');

export async function startCluster(options: { instances: number; workers: number; env: Record<string, string>; webNodeArgs?: string[] }): Promise<Cluster> {
  const children: ChildProcess[] = [];
  let output = '';
  // As `npm start` (scripts/start.mjs) runs them: the same thread-pool size for the web instances.
  const env: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '16', ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', ...options.env };
  const spawnLogged = (name: string, cmd: string, args: string[], extra: Record<string, string>) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] as const, detached: true });
    child.stdout?.on('data', (d) => (output += `[${name}] ${d}`));
    child.stderr?.on('data', (d) => (output += `[${name}] ${d}`));
    children.push(child);
    return child;
  };
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => signal(child, 'SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            signal(child, 'SIGTERM');
          }),
      ),
    );
  };
  const urls: string[] = [];
  const webGroups: number[] = [];
  const workerGroups: number[] = [];
  try {
    for (let i = 0; i < options.instances; i++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const start = ['start', '-p', String(port), '-H', '127.0.0.1'];
      if (options.webNodeArgs) spawnLogged(`web${i}`, process.execPath, [...options.webNodeArgs, path.join(root, 'node_modules/next/dist/bin/next'), ...start], { NEXTAUTH_URL: url });
      else spawnLogged(`web${i}`, path.join(root, 'node_modules/.bin/next'), start, { NEXTAUTH_URL: url });
      urls.push(url);
      webGroups.push(children[children.length - 1].pid!);
      await waitHealthy(url, children[children.length - 1], () => output);
    }
    for (let i = 0; i < options.workers; i++) workerGroups.push(spawnLogged(`worker${i}`, path.join(root, 'node_modules/.bin/tsx'), ['workers/worker.ts'], {}).pid!);
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, webGroups, workerGroups, stop, logs: () => output };
}

function signal(child: ChildProcess, sig: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, sig);
  } catch {
    /* already gone */
  }
}

async function waitHealthy(url: string, child: ChildProcess, logs: () => string) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${logs()}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
