/** Load a Facet age/gender model version folder from disk (Node), backbones from node_modules. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Backbone, BackboneId } from './backbones';
import { initWasmBackend, loadBackboneNode } from './backbones.node';
import { type ModelManifest, parseManifest } from './manifest';
import type { AgeGenderModel } from './predict';

export function readManifest(dir: string): ModelManifest {
  return parseManifest(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
}

/** The heads (model.json + weights.bin) as the browser's tf.loadLayersModel(url) would load them. */
export async function loadHeadsFromDir(dir: string, modelJson = 'model.json'): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path.join(dir, modelJson), 'utf8'));
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (entries) => {
    const specs = entries.flatMap((e) => e.weights);
    const buffers = entries.flatMap((e) => e.paths).map((p) => {
      const b = readFileSync(path.join(dir, p));
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    });
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

export async function loadAgeGenderModelNode(dir: string): Promise<AgeGenderModel> {
  await initWasmBackend();
  const manifest = readManifest(dir);
  const backbones = new Map<string, Backbone>();
  for (const ref of manifest.backbones) backbones.set(ref.id, await loadBackboneNode(ref.id as BackboneId));
  return { manifest, backbones, heads: await loadHeadsFromDir(dir, manifest.heads.modelJson) };
}
