/**
 * Backbone features for faces stored in Facet (a box in a stored image), cached on disk.
 * A face's cache key is its image's content hash + its box, and each cache root is specific to
 * the backbones' package versions and the preprocessing version, so a changed box, image or
 * backbone never reuses stale features. A cache that cannot be read or holds non-finite values
 * is wiped and rebuilt. Writer locks are released after each call, so several workers share it.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { BACKBONES, type Backbone, type BackboneId } from '../../lib/ml/backbones';
import { loadBackboneNode } from '../../lib/ml/backbones.node';
import { decodeImage } from '../../lib/ml/image.node';
import type { FaceBox, PixelImage } from '../../lib/ml/preprocess';
import { hash53 } from '../../lib/domain/split';
import { type CacheSet, type FeatureLayout, openCacheSet } from './dataset';
import { PREPROCESS_VERSION, runBatch } from './extract';
import type { FeatureCache } from './feature-cache';

export type StoredFace = { key: string; imageKey: string; box: FaceBox };

/** Stable cache key of a face: image content hash + box (rounded to 0.1 px). */
export function faceFeatureKey(contentHash: string, box: { x: number; y: number; w: number; h: number }): string {
  const r = (v: number) => (Math.round(v * 10) / 10).toString();
  return `${contentHash}@${r(box.x)},${r(box.y)},${r(box.w)},${r(box.h)}`;
}

/** The cache root for the current backbone versions under `base`. */
export function faceFeatureRoot(base: string): string {
  const versions = Object.values(BACKBONES).map((b) => `${b.id}=${b.package}@${b.packageVersion}`).sort().join(';');
  return path.join(base, `bb-${hash53(`${versions};${PREPROCESS_VERSION}`).toString(36)}`);
}

const allCaches = (set: CacheSet) => [...set.plain.values(), ...set.flip.values()];

/** Open the caches; any that fail to open or hold non-finite rows for `keys` are wiped first. */
export function openCheckedCacheSet(layout: FeatureLayout, cropMargin: number, root: string, keys: string[], log: (m: string) => void = () => {}): CacheSet {
  let set: CacheSet;
  try {
    set = openCacheSet(layout, cropMargin, root);
  } catch (error) {
    log(`feature cache unreadable (${error instanceof Error ? error.message : error}); rebuilding`);
    rmSync(root, { recursive: true, force: true });
    return openCacheSet(layout, cropMargin, root);
  }
  const bad = allCaches(set).filter((c) => c.nonFiniteKeys(keys).length > 0);
  if (bad.length === 0) return set;
  for (const c of bad) {
    log(`feature cache ${path.relative(root, c.dir)} holds non-finite values; rebuilding it`);
    rmSync(c.dir, { recursive: true, force: true });
  }
  return openCacheSet(layout, cropMargin, root);
}

const nets = new Map<BackboneId, Promise<Backbone>>();
/** Backbones stay loaded for the life of the worker process. */
function backbone(id: BackboneId): Promise<Backbone> {
  if (!nets.has(id)) nets.set(id, loadBackboneNode(id));
  return nets.get(id)!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Append, waiting (up to two minutes) while another process holds the cache's writer lock. */
async function appendShared(cache: FeatureCache, keys: string[], feats: Record<string, Float32Array>) {
  for (let waited = 0; ; waited += 200) {
    try {
      cache.append(keys, feats);
      return;
    } catch (error) {
      if (!(error instanceof Error && /is being written by process/.test(error.message)) || waited > 120_000) throw error;
      await sleep(200);
    }
  }
}

export type EnsureOptions = {
  layout: FeatureLayout;
  cropMargin: number;
  root: string;
  loadImage: (imageKey: string) => Promise<Buffer>;
  signal?: AbortSignal;
  batchSize?: number;
  progress?: (done: number, total: number) => void;
  log?: (msg: string) => void;
};

/**
 * Make sure every face has plain and mirrored features for each backbone of the layout; extracts
 * only what is missing (images decoded once per batch). Returns the open caches.
 */
export async function ensureFaceFeatures(faces: StoredFace[], opts: EnsureOptions): Promise<{ caches: CacheSet; extracted: number; ms: number }> {
  const t0 = performance.now();
  const keys = faces.map((f) => f.key);
  const caches = openCheckedCacheSet(opts.layout, opts.cropMargin, opts.root, keys, opts.log);
  const ids = [...caches.plain.keys()] as BackboneId[];
  const todo = faces.filter((f) => allCaches(caches).some((c) => !c.has(f.key)));
  const batchSize = opts.batchSize ?? 8; // small: each backbone pass blocks the event loop (heartbeats)
  try {
    if (todo.length > 0) {
      opts.log?.(`extracting features for ${todo.length} of ${faces.length} faces`);
      todo.sort((a, b) => a.imageKey.localeCompare(b.imageKey));
      for (let start = 0; start < todo.length; start += batchSize) {
        opts.signal?.throwIfAborted();
        const batch = todo.slice(start, start + batchSize);
        const decoded = new Map<string, PixelImage>();
        for (const f of batch) if (!decoded.has(f.imageKey)) decoded.set(f.imageKey, await decodeImage(await opts.loadImage(f.imageKey)));
        const items = batch.map((f) => ({ image: decoded.get(f.imageKey)!, box: f.box }));
        for (const id of ids) {
          const net = await backbone(id);
          for (const flip of [false, true]) {
            const cache = (flip ? caches.flip : caches.plain).get(id)!;
            const keep = batch.map((f, i) => [f, i] as const).filter(([f]) => !cache.has(f.key));
            if (keep.length === 0) continue;
            const feats = runBatch(net, keep.map(([, i]) => items[i]), { cropMargin: opts.cropMargin, flip });
            await appendShared(cache, keep.map(([f]) => f.key), feats);
            await new Promise((r) => setImmediate(r)); // let heartbeats run between passes
          }
        }
        opts.progress?.(Math.min(start + batchSize, todo.length), todo.length);
      }
    }
  } finally {
    allCaches(caches).forEach((c) => c.release());
  }
  return { caches, extracted: todo.length, ms: performance.now() - t0 };
}
