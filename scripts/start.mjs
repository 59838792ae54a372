// `npm start`: serve the production build (building it first if missing) on PORT (default 3000).
// The database is migrated and the first admin created by the server itself on start.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT ?? '3000';
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}` };
const next = join(root, 'node_modules/.bin/next');

if (!existsSync(join(root, '.next/BUILD_ID'))) execFileSync(next, ['build'], { cwd: root, env, stdio: 'inherit' });
const server = spawn(next, ['start', '-p', port, '-H', process.env.HOST ?? '127.0.0.1'], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
