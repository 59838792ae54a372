/**
 * Node side of the backbones: the tfjs wasm backend and weights read from node_modules (no network).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BACKBONES, type Backbone, type BackboneId, createBackbone, decodeWeightMap } from './backbones';

/** Folder of an installed package, found by walking up from `from` (default: cwd). */
export function packageDir(name: string, from = process.cwd()): string {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package ${name} not found in node_modules above ${from}`);
    dir = parent;
  }
}

let wasmReady: Promise<void> | null = null;

/** Select the wasm backend once (the only tfjs backend that works well in Node here). */
export function initWasmBackend(): Promise<void> {
  wasmReady ??= (async () => {
    setWasmPaths(path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + path.sep);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to start');
    await tf.ready();
  })();
  return wasmReady;
}

/** Where a backbone's weight files live on disk. */
export function backboneWeightsDir(id: BackboneId): string {
  return path.join(packageDir(BACKBONES[id].package), 'model');
}

export async function loadBackboneNode(id: BackboneId, dir = backboneWeightsDir(id)): Promise<Backbone> {
  await initWasmBackend();
  const spec = BACKBONES[id];
  const manifest = JSON.parse(readFileSync(path.join(dir, spec.files.manifest), 'utf8'));
  const shards = (manifest as { paths: string[] }[]).flatMap((g) => g.paths).map((p) => {
    const buf = readFileSync(path.join(dir, p));
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  });
  return createBackbone(spec, decodeWeightMap(manifest, shards));
}
