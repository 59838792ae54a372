/**
 * Feature matrices and label arrays for the trainer, built from the feature cache.
 */
import { BACKBONES, type BackboneId } from '../../lib/ml/backbones';
import type { HeadsInfo } from '../../lib/ml/manifest';
import type { FeatureCache } from './feature-cache';
import { openCache } from './extract';

export type FeatureLayout = HeadsInfo['featureLayout'];
export type View = 'plain' | 'flip' | 'mean';

/** e.g. ['faceapi-agegender:gap', 'faceapi-recognition:descriptor'] → layout with widths. */
export function layoutOf(refs: string[]): FeatureLayout {
  return refs.map((ref) => {
    const [backbone, node] = ref.split(':') as [BackboneId, string];
    const dims = BACKBONES[backbone]?.outputs[node];
    if (!dims) throw new Error(`unknown backbone output ${ref}`);
    return { backbone, node, dims };
  });
}

export const layoutDims = (layout: FeatureLayout) => layout.reduce((n, f) => n + f.dims, 0);

export type CacheSet = { plain: Map<string, FeatureCache>; flip: Map<string, FeatureCache> };

export function openCacheSet(layout: FeatureLayout, cropMargin: number, root?: string): CacheSet {
  const set: CacheSet = { plain: new Map(), flip: new Map() };
  for (const id of new Set(layout.map((f) => f.backbone as BackboneId))) {
    set.plain.set(id, openCache(id, { cropMargin, flip: false }, root));
    set.flip.set(id, openCache(id, { cropMargin, flip: true }, root));
  }
  return set;
}

/** N × dims matrix of the records' features (plain, mirrored, or their mean). */
export function featureMatrix(keys: string[], layout: FeatureLayout, caches: CacheSet, view: View): Float32Array {
  const dims = layoutDims(layout);
  const x = new Float32Array(keys.length * dims);
  keys.forEach((key, i) => {
    let offset = i * dims;
    for (const f of layout) {
      if (view === 'mean') {
        const a = caches.plain.get(f.backbone)!.row(key, f.node);
        const b = caches.flip.get(f.backbone)!.row(key, f.node);
        for (let d = 0; d < f.dims; d++) x[offset + d] = (a[d] + b[d]) / 2;
      } else {
        x.set((view === 'flip' ? caches.flip : caches.plain).get(f.backbone)!.row(key, f.node), offset);
      }
      offset += f.dims;
    }
  });
  return x;
}

/** Keys present in every cache of the set. */
export function cachedKeys(keys: string[], caches: CacheSet): string[] {
  const all = [...caches.plain.values(), ...caches.flip.values()];
  return keys.filter((k) => all.every((c) => c.has(k)));
}

/** Per-column mean and std (std floored at 1e-6; constant columns get std 1). */
export function columnStats(x: Float32Array, n: number, dims: number) {
  const mean = new Float64Array(dims);
  const sq = new Float64Array(dims);
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dims; d++) {
      const v = x[i * dims + d];
      mean[d] += v;
      sq[d] += v * v;
    }
  const m = new Float32Array(dims);
  const s = new Float32Array(dims);
  for (let d = 0; d < dims; d++) {
    m[d] = mean[d] / n;
    const variance = Math.max(0, sq[d] / n - m[d] * m[d]);
    s[d] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  return { mean: m, std: s };
}

export function standardize(x: Float32Array, dims: number, mean: Float32Array, std: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] - mean[i % dims]) / std[i % dims];
  return out;
}
