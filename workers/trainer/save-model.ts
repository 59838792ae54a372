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

/** Serialise a LayersModel to { model.json text, weights.bin bytes } without touching disk. */
export async function serializeLayersModel(model: tf.LayersModel): Promise<{ json: string; weights: Uint8Array }> {
  let json = '';
  let weights = new Uint8Array(0);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      weights = new Uint8Array(data);
      json = JSON.stringify({
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: [`./${HEADS_WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
  return { json, weights };
}

/** Write <dir> = manifest.json + model.json + weights.bin via <dir>.tmp-<pid> and a rename. */
export async function saveModelVersion(dir: string, model: tf.LayersModel, manifest: ModelManifest): Promise<void> {
  parseManifest(manifest);
  const { json, weights } = await serializeLayersModel(model);
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
