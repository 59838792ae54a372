import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../support/server';

/**
 * Facet's production server (`next start`, the existing build) in its own process group, on a data
 * directory the test chooses, so a test can SIGKILL it and start it again on the same files.
 */
/** Where `next start` runs: FACET_APP_DIR (a directory holding another copy of the build), else here. */
export const appDir = () => process.env.FACET_APP_DIR || process.cwd();

export type Facet = { url: string; pid: number; logs: () => string; kill: (signal?: NodeJS.Signals) => Promise<void> };

export async function startFacet(env: Record<string, string>, port?: number): Promise<Facet> {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(path.join(appDir(), 'node_modules/.bin/next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: appDir(),
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', NEXTAUTH_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* gone */
    }
    await exited;
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await kill('SIGKILL');
      throw new Error(`server did not become healthy:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, pid: child.pid!, logs: () => output, kill };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** fetch with the session cookie and a same-origin Origin (what the browser sends). */
export function client(url: string, cookie: string) {
  return (pathname: string, init: RequestInit = {}) =>
    fetch(url + pathname, { ...init, headers: { cookie, origin: url, ...(init.headers as Record<string, string>) } });
}
