/**
 * Backbone features for faces stored in Facet (a box in a stored image), cached on disk.
 * A face's cache key is its image's content hash + its box, and each cache root is specific to
 * the backbones' package versions and the preprocessing version, so a changed box, image or
 * backbone never reuses stale features. A cache that cannot be read or holds non-finite values
 * is wiped and rebuilt. Writer locks are released after each call, so several workers share it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BACKBONES, type Backbone, type BackboneId } from '../../lib/ml/backbones';
import { loadBackboneNode } from '../../lib/ml/backbones.node';
import { decodeImage } from '../../lib/ml/image.node';
import { type FaceBox, mirrorHwc, type PixelImage, preprocessFace } from '../../lib/ml/preprocess';
import { hash53 } from '../../lib/domain/split';
import { type CacheSet, type FeatureLayout, openCacheSet } from './dataset';
import { PREPROCESS_VERSION, preprocessSpecOf, variantName } from './extract';
import type { FeatureCache } from './feature-cache';

export type StoredFace = { key: string; imageKey: string; box: FaceBox };

/** Stable cache key of a face: image content hash + box (rounded to 0.1 px). */
export function faceFeatureKey(contentHash: string, box: { x: number; y: number; w: number; h: number }): string {
  const r = (v: number) => (Math.round(v * 10) / 10).toString();
  return `${contentHash}@${r(box.x)},${r(box.y)},${r(box.w)},${r(box.h)}`;
}

/** A face row (its box and its image) as the feature cache addresses it. */
export function storedFace(f: { x: number; y: number; w: number; h: number; image: { contentHash: string; storageKey: string } }): StoredFace {
  return { key: faceFeatureKey(f.image.contentHash, f), imageKey: f.image.storageKey, box: { x: f.x, y: f.y, width: f.w, height: f.h } };
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
  /** Faces per step (decoded together; progress and abort checks between steps). */
  batchSize?: number;
  /** Skip faces whose image is gone or unreadable (background prefetch) instead of failing. */
  skipUnreadable?: boolean;
  progress?: (done: number, total: number) => void;
  log?: (msg: string) => void;
};

/**
 * Faces per backbone pass on the wasm backend. CPU time per face (both backbones, plain and
 * mirrored, decode and crop included; 64 UTKFace crops, 4 interleaved runs at load 9–10) was the
 * same at 8 or 16 (~78–81 ms) as the earlier per-view runBatch path (~80 ms): the backbone passes
 * dominate. Small passes keep the event loop (heartbeats) free: one pass blocks it for < 1 s.
 */
export const PASS_SIZE: Partial<Record<BackboneId, number>> = { 'faceapi-agegender': 8, 'faceapi-recognition': 8 };

function concatRows(parts: Record<string, Float32Array>[]): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const name of Object.keys(parts[0] ?? {})) {
    const all = new Float32Array(parts.reduce((n, p) => n + p[name].length, 0));
    let offset = 0;
    for (const p of parts) {
      all.set(p[name], offset);
      offset += p[name].length;
    }
    out[name] = all;
  }
  return out;
}

/**
 * Plain and mirrored features of faces for one backbone: each crop is preprocessed once and
 * mirrored (bit-identical to preprocessing it flipped), then run in passes of the backbone's size.
 */
async function runBothViews(net: Backbone, items: { image: PixelImage; box: FaceBox }[], cropMargin: number, signal?: AbortSignal) {
  const spec = preprocessSpecOf(net.spec.id, cropMargin);
  const s = spec.inputSize;
  const plain = items.map(({ image, box }) => preprocessFace(image, box, spec, false));
  const views = { plain, flip: plain.map((p) => mirrorHwc(p, s)) };
  const pass = PASS_SIZE[net.spec.id] ?? 8;
  const result = {} as Record<'plain' | 'flip', Record<string, Float32Array>>;
  for (const view of ['plain', 'flip'] as const) {
    const parts: Record<string, Float32Array>[] = [];
    for (let i = 0; i < items.length; i += pass) {
      const chunk = views[view].slice(i, i + pass);
      const batch = new Float32Array(chunk.length * s * s * 3);
      chunk.forEach((p, n) => batch.set(p, n * s * s * 3));
      const input = tf.tensor4d(batch, [chunk.length, s, s, 3]);
      const out = net.run(input);
      input.dispose();
      const rows: Record<string, Float32Array> = {};
      for (const [name, t] of Object.entries(out)) {
        rows[name] = t.dataSync() as Float32Array;
        t.dispose();
      }
      parts.push(rows);
      await new Promise((r) => setImmediate(r)); // let heartbeats run between passes
      signal?.throwIfAborted(); // cancel / yield within one pass
    }
    result[view] = concatRows(parts);
  }
  return result;
}

export type EnsureResult = { caches: CacheSet; extracted: number; skipped: string[]; ms: number };

/**
 * Make sure every face has plain and mirrored features for each backbone of the layout; extracts
 * only what is missing (each image decoded once per step, each crop preprocessed once).
 * Returns the open caches.
 */
export async function ensureFaceFeatures(faces: StoredFace[], opts: EnsureOptions): Promise<EnsureResult> {
  const t0 = performance.now();
  const keys = faces.map((f) => f.key);
  const caches = openCheckedCacheSet(opts.layout, opts.cropMargin, opts.root, keys, opts.log);
  const ids = [...caches.plain.keys()] as BackboneId[];
  const todo = faces.filter((f) => allCaches(caches).some((c) => !c.has(f.key)));
  const batchSize = opts.batchSize ?? 32;
  const skipped: string[] = [];
  try {
    if (todo.length > 0) {
      opts.log?.(`extracting features for ${todo.length} of ${faces.length} faces`);
      todo.sort((a, b) => a.imageKey.localeCompare(b.imageKey));
      for (let start = 0; start < todo.length; start += batchSize) {
        opts.signal?.throwIfAborted();
        const batch = todo.slice(start, start + batchSize);
        const decoded = new Map<string, PixelImage | null>();
        for (const f of batch) {
          if (decoded.has(f.imageKey)) continue;
          try {
            decoded.set(f.imageKey, await decodeImage(await opts.loadImage(f.imageKey)));
          } catch (error) {
            if (!opts.skipUnreadable) throw error;
            decoded.set(f.imageKey, null);
            opts.log?.(`image ${f.imageKey} unreadable (${error instanceof Error ? error.message : error}); its faces skipped`);
          }
        }
        const readable = batch.filter((f) => decoded.get(f.imageKey));
        skipped.push(...batch.filter((f) => !decoded.get(f.imageKey)).map((f) => f.key));
        for (const id of ids) {
          const plain = caches.plain.get(id)!;
          const flip = caches.flip.get(id)!;
          const keep = readable.filter((f) => !plain.has(f.key) || !flip.has(f.key));
          if (keep.length === 0) continue;
          const feats = await runBothViews(await backbone(id), keep.map((f) => ({ image: decoded.get(f.imageKey)!, box: f.box })), opts.cropMargin, opts.signal);
          await appendShared(plain, keep.map((f) => f.key), feats.plain);
          await appendShared(flip, keep.map((f) => f.key), feats.flip);
        }
        opts.progress?.(Math.min(start + batchSize, todo.length), todo.length);
      }
    }
  } finally {
    allCaches(caches).forEach((c) => c.release());
  }
  return { caches, extracted: todo.length - skipped.length, skipped, ms: performance.now() - t0 };
}

/** Stored keys of one cache folder, read from keys.txt only (cheap; no feature rows loaded). */
function storedKeys(root: string, id: BackboneId, flip: boolean, cropMargin: number): Set<string> {
  const file = path.join(root, id, variantName(id, { cropMargin, flip }), 'keys.txt');
  return new Set(existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
}

/** Keys of `keys` missing from any (backbone, plain/mirrored) cache of the layout: a cheap check. */
export function missingFeatureKeys(keys: string[], layout: FeatureLayout, cropMargin: number, root: string): string[] {
  const sets = [...new Set(layout.map((f) => f.backbone as BackboneId))].flatMap((id) => [false, true].map((flip) => storedKeys(root, id, flip, cropMargin)));
  return keys.filter((k) => sets.some((set) => !set.has(k)));
}
