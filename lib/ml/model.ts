/**
 * Load a Facet age/gender model by URL (browser): manifest, frozen backbones (vendor weights),
 * heads (tf.loadLayersModel). Pick the version from public/models/registry.json.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKBONES, type Backbone, type BackboneId, loadBackboneFromUrl } from './backbones';
import { activeVersionPath, parseManifest, parseRegistry } from './manifest';
import type { AgeGenderModel } from './predict';

/** `/models/agegender/r0` for the active version of `name` in `${origin}/models/registry.json`. */
export async function activeModelUrl(name = 'agegender', base = '', fetchFn: typeof fetch = fetch): Promise<string> {
  const res = await fetchFn(`${base}/models/registry.json`);
  if (!res.ok) throw new Error(`registry: HTTP ${res.status}`);
  const rel = activeVersionPath(parseRegistry(await res.json()), name);
  if (!rel) throw new Error(`registry has no active version of ${name}`);
  return `${base}/${rel}`;
}

/** `modelUrl` is the version folder (holding manifest.json); backbone weights come from each ref's weightsBaseUrl. */
export async function loadAgeGenderModel(modelUrl: string, fetchFn: typeof fetch = fetch): Promise<AgeGenderModel> {
  const base = modelUrl.replace(/\/$/, '');
  const res = await fetchFn(`${base}/manifest.json`);
  if (!res.ok) throw new Error(`manifest: HTTP ${res.status}`);
  const manifest = parseManifest(await res.json());
  const backbones = new Map<string, Backbone>();
  for (const ref of manifest.backbones) {
    const spec = BACKBONES[ref.id as BackboneId];
    if (!spec) throw new Error(`unknown backbone ${ref.id}`);
    backbones.set(ref.id, await loadBackboneFromUrl(spec, ref.weightsBaseUrl, fetchFn));
  }
  const heads = await tf.loadLayersModel(`${base}/${manifest.heads.modelJson}`);
  return { manifest, backbones, heads };
}
