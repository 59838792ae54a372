// `npm start`: serve the production build (building it first if missing) on PORT (default 3000)
// and run one background worker beside it (FACET_WORKERS=0 for none, N for several).
// The database is migrated and the first admin created on start.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT ?? '3000';
// Image decoding and blob writes share libuv's thread pool (default 4); imports need more.
const env = { UV_THREADPOOL_SIZE: '16', ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}` };
const bin = (name) => join(root, 'node_modules/.bin', name);

if (!existsSync(join(root, '.next/BUILD_ID'))) execFileSync(bin('next'), ['build'], { cwd: root, env, stdio: 'inherit' });

const children = [spawn(bin('next'), ['start', '-p', port, '-H', process.env.HOST ?? '127.0.0.1'], { cwd: root, env, stdio: 'inherit' })];
const workers = Number(process.env.FACET_WORKERS ?? 1);
for (let i = 0; i < workers; i++) children.push(spawn(bin('tsx'), ['workers/worker.ts'], { cwd: root, env, stdio: 'inherit' }));

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
for (const child of children) {
  child.on('exit', (code) => {
    stop('SIGTERM');
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(code ?? 0);
  });
}
