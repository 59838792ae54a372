/**
 * Batch feature extraction into the on-disk cache (wasm backend). Each (backbone, crop variant)
 * pair has its own cache folder; keys already cached are skipped, so re-runs are cheap.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BACKBONES, type Backbone, type BackboneId } from '../../lib/ml/backbones';
import { loadBackboneNode } from '../../lib/ml/backbones.node';
import { decodeImage } from '../../lib/ml/image.node';
import { type FaceBox, type PixelImage, type PreprocessSpec, preprocessFace, wholeImageBox } from '../../lib/ml/preprocess';
import { hash53 } from '../../lib/domain/split';
import { FeatureCache } from './feature-cache';

export type ExtractItem = { key: string; file: string; box?: FaceBox };
export type CropVariant = { cropMargin: number; flip: boolean };

export const DEFAULT_CACHE_ROOT = path.resolve(process.cwd(), '.cache', 'features');
/** Bump when preprocess.ts changes its output, so stale caches are not reused. */
export const PREPROCESS_VERSION = 'triangle-v1';

export function preprocessSpecOf(id: BackboneId, cropMargin: number): PreprocessSpec {
  return { ...BACKBONES[id].preprocess, cropMargin };
}

export function variantName(id: BackboneId, v: CropVariant): string {
  const spec = { ...preprocessSpecOf(id, v.cropMargin), PREPROCESS_VERSION };
  return `m${v.cropMargin}${v.flip ? '-flip' : ''}-${hash53(JSON.stringify(spec)).toString(36).slice(0, 6)}`;
}

export function openCache(id: BackboneId, v: CropVariant, root = DEFAULT_CACHE_ROOT): FeatureCache {
  const spec = BACKBONES[id];
  return FeatureCache.open(root, {
    backbone: id,
    variant: variantName(id, v),
    outputs: spec.outputs,
    package: `${spec.package}@${spec.packageVersion}`,
    preprocess: preprocessSpecOf(id, v.cropMargin),
    flip: v.flip,
    preprocessVersion: PREPROCESS_VERSION,
  });
}

export function runBatch(backbone: Backbone, images: { image: PixelImage; box: FaceBox }[], v: CropVariant) {
  const spec = preprocessSpecOf(backbone.spec.id, v.cropMargin);
  const s = spec.inputSize;
  const batch = new Float32Array(images.length * s * s * 3);
  images.forEach(({ image, box }, n) => batch.set(preprocessFace(image, box, spec, v.flip), n * s * s * 3));
  const input = tf.tensor4d(batch, [images.length, s, s, 3]);
  const out = backbone.run(input);
  input.dispose();
  const result: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(out)) {
    result[name] = t.dataSync() as Float32Array;
    t.dispose();
  }
  return result;
}

export type ExtractOptions = {
  backbones: BackboneId[];
  variants: CropVariant[];
  cacheRoot?: string;
  batchSize?: number;
  log?: (msg: string) => void;
};

/** Extract (only what is missing) and return the open caches, indexed `${backbone}/${variantName}`. */
export async function extractFeatures(items: ExtractItem[], opts: ExtractOptions): Promise<Map<string, FeatureCache>> {
  const batchSize = opts.batchSize ?? 32;
  const log = opts.log ?? (() => {});
  const caches = new Map<string, FeatureCache>();
  const jobs: { id: BackboneId; v: CropVariant; cache: FeatureCache }[] = [];
  for (const id of opts.backbones)
    for (const v of opts.variants) {
      const cache = openCache(id, v, opts.cacheRoot);
      caches.set(`${id}/${variantName(id, v)}`, cache);
      jobs.push({ id, v, cache });
    }
  const todo = items.filter((it) => jobs.some((j) => !j.cache.has(it.key)));
  if (todo.length === 0) return caches;
  log(`extracting ${todo.length} of ${items.length} images for ${jobs.length} backbone/variant caches`);
  const nets = new Map<BackboneId, Backbone>();
  for (const id of opts.backbones) nets.set(id, await loadBackboneNode(id));
  const decodeBatch = (b: ExtractItem[]) =>
    Promise.all(b.map(async (it) => {
      const image = await decodeImage(it.file);
      return { image, box: it.box ?? wholeImageBox(image) };
    }));
  const t0 = performance.now();
  let next = decodeBatch(todo.slice(0, batchSize));
  for (let start = 0; start < todo.length; start += batchSize) {
    const batchItems = todo.slice(start, start + batchSize);
    const images = await next;
    if (start + batchSize < todo.length) next = decodeBatch(todo.slice(start + batchSize, start + 2 * batchSize));
    for (const { id, v, cache } of jobs) {
      const keep = batchItems.map((it, i) => [it, i] as const).filter(([it]) => !cache.has(it.key));
      if (keep.length === 0) continue;
      const feats = runBatch(nets.get(id)!, keep.map(([, i]) => images[i]), v);
      cache.append(keep.map(([it]) => it.key), feats);
    }
    const done = Math.min(start + batchSize, todo.length);
    if (done % (batchSize * 20) === 0 || done === todo.length) {
      const ms = (performance.now() - t0) / done;
      log(`  ${done}/${todo.length} images, ${ms.toFixed(1)} ms/img (all caches), eta ${((todo.length - done) * ms / 60000).toFixed(1)} min`);
    }
  }
  nets.forEach((n) => n.dispose());
  return caches;
}
