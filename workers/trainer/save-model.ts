/**
 * Write a model version folder atomically: heads as model.json + weights.bin (the files
 * `tf.loadLayersModel(url)` reads in the browser) plus manifest.json, into a temp folder that is
 * renamed into place; and the registry update. (Loading: lib/ml/model.node.ts / model.ts.)
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type ModelManifest, type Registry, type RegistryEntry, parseManifest, parseRegistry, withVersion } from '../../lib/ml/manifest';

export const HEADS_MODEL_FILE = 'model.json';
export const HEADS_WEIGHTS_FILE = 'weights.bin';

/** IEEE half-precision bits of a float (round to nearest even; overflow → ±Inf). */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp >= 0x1f) return sign | 0x7c00 | (((x >>> 23) & 0xff) === 0xff && mant ? 0x200 : 0);
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/**
 * Store dense kernels with more than `minSize` values as float16 (halves weights.bin; biases,
 * batch-norm statistics and small kernels stay float32). tfjs dequantises on load.
 */
function quantizeKernels(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer, minSize: number) {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const out = specs.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.slice(offset, offset + size * 4));
    offset += size * 4;
    if (spec.dtype !== 'float32' || !spec.name.endsWith('/kernel') || size < minSize) {
      parts.push(new Uint8Array(values.buffer));
      return spec;
    }
    const half = new Uint16Array(size);
    for (let i = 0; i < size; i++) half[i] = toFloat16Bits(values[i]);
    parts.push(new Uint8Array(half.buffer));
    return { ...spec, quantization: { dtype: 'float16' as const } };
  });
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return { specs: out, bytes };
}

/** Serialise a LayersModel to { model.json text, weights.bin bytes } without touching disk. */
export async function serializeLayersModel(
  model: tf.LayersModel,
  options: { float16KernelsOver?: number } = {},
): Promise<{ json: string; weights: Uint8Array }> {
  let json = '';
  let weights = new Uint8Array(0);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      let specs = artifacts.weightSpecs ?? [];
      weights = new Uint8Array(data);
      if (options.float16KernelsOver !== undefined) ({ specs, bytes: weights } = quantizeKernels(specs, data, options.float16KernelsOver));
      json = JSON.stringify({
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: [`./${HEADS_WEIGHTS_FILE}`], weights: specs }],
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
  return { json, weights };
}

/** The model as it will load from disk (float16 kernels dequantised), to evaluate what ships. */
export async function shippedCopy(model: tf.LayersModel, float16KernelsOver: number | undefined = FLOAT16_KERNELS_OVER): Promise<tf.LayersModel> {
  const { json, weights } = await serializeLayersModel(model, { float16KernelsOver });
  const data = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const artifacts = await tf.io.getModelArtifactsForJSON(JSON.parse(json), async (entries) => [entries.flatMap((e) => e.weights), data]);
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** Kernels at least this large are stored as float16 by default (the first dense layer). */
export const FLOAT16_KERNELS_OVER = 65536;

/** Write <dir> = manifest.json + model.json + weights.bin via <dir>.tmp-<pid> and a rename. */
export async function saveModelVersion(dir: string, model: tf.LayersModel, manifest: ModelManifest, float16KernelsOver: number | undefined = FLOAT16_KERNELS_OVER): Promise<void> {
  parseManifest(manifest);
  const { json, weights } = await serializeLayersModel(model, { float16KernelsOver });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(path.join(tmp, HEADS_MODEL_FILE), json);
  writeFileSync(path.join(tmp, HEADS_WEIGHTS_FILE), weights);
  writeFileSync(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const old = `${dir}.old-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

/** Add the version to public/models/registry.json (created if absent), atomically. */
export function registerVersion(registryFile: string, name: string, entry: RegistryEntry, activate: boolean): Registry {
  const current: Registry = existsSync(registryFile)
    ? parseRegistry(JSON.parse(readFileSync(registryFile, 'utf8')))
    : { schemaVersion: 1, models: {} };
  const next = parseRegistry(withVersion(current, name, entry, activate));
  const tmp = `${registryFile}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(tmp, registryFile);
  return next;
}
