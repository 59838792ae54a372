// Runs after `npm install` / `npm ci`: generate the Prisma clients (both providers) and copy
// the pretrained weights and tfjs WASM binaries that ship inside npm packages into public/.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (script) => execFileSync('node', [join(root, 'scripts', script)], { cwd: root, stdio: 'inherit' });

run('prisma-generate.mjs');

const wasmSrc = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const wasmDst = join(root, 'public/tfjs-wasm');
mkdirSync(wasmDst, { recursive: true });
for (const f of readdirSync(wasmSrc).filter((f) => f.endsWith('.wasm'))) cpSync(join(wasmSrc, f), join(wasmDst, f));
console.log('tfjs wasm binaries copied to public/tfjs-wasm/');

if (existsSync(join(root, 'scripts/copy-model-weights.mjs'))) run('copy-model-weights.mjs');
