/**
 * The active-learning benches' data: UTKFace records (labels from the file names, Facet's seeded
 * 80/10/10 split) and their cached backbone features as one standardised matrix.
 *
 * Standardisation uses the statistics of ALL the rows given (labeled or not): features need no
 * labels, so a real deployment has them for every face in the queue. Fixing them up front keeps a
 * warm-started model's input scale stable from round to round.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hash53 } from '../../lib/domain/split';
import { initWasmBackend } from '../../lib/ml/backbones.node';
import type { BackboneId } from '../../lib/ml/backbones';
import { type CacheSet, cachedKeys, columnStats, featureMatrix, layoutDims, layoutOf, openCacheSet, standardize } from '../../workers/trainer/dataset';
import { extractFeatures } from '../../workers/trainer/extract';
import type { FaceRecord } from '../../workers/trainer/utkface';
import { projectRows } from '../../workers/trainer/pca';

/** Feature sets the benches can use (backbone:output refs, as in workers/trainer/variants.ts). */
export const FEATURE_SETS = {
  /** The shipped round-0 model's input: both face-api backbones, mean of plain + mirrored crops. */
  r0: { refs: ['faceapi-agegender:gap', 'faceapi-agegender:gmp', 'faceapi-agegender:mid', 'faceapi-recognition:descriptor', 'faceapi-recognition:gap'], view: 'mean' },
  /** Cheapest to extract (one backbone, plain crops only): what a clean CI checkout can afford. */
  'ag-gap': { refs: ['faceapi-agegender:gap'], view: 'plain' },
  /** The recognition backbone only (not trained on UTKFace, so no optimism), flip-mean. */
  rec: { refs: ['faceapi-recognition:descriptor', 'faceapi-recognition:gap'], view: 'mean' },
} as const satisfies Record<string, { refs: string[]; view: 'plain' | 'mean' }>;
export type FeatureSetId = keyof typeof FEATURE_SETS;

export const CROP_MARGIN = 0;

export type FeatureTable = {
  keys: string[];
  /** Row-major keys.length × dims, standardised. */
  x: Float32Array;
  dims: number;
  rowOf: Map<string, number>;
};

export function openFeatureCaches(set: FeatureSetId, cacheRoot?: string): CacheSet {
  return openCacheSet(layoutOf([...FEATURE_SETS[set].refs]), CROP_MARGIN, cacheRoot);
}

/** Extract whatever of `records` is missing from the cache for this feature set (wasm; ~40–200 ms/face). */
export async function ensureFeatures(records: FaceRecord[], set: FeatureSetId, log?: (m: string) => void, cacheRoot?: string) {
  await initWasmBackend();
  const fs = FEATURE_SETS[set];
  const backbones = [...new Set(fs.refs.map((r) => r.split(':')[0]))] as BackboneId[];
  const variants = [{ cropMargin: CROP_MARGIN, flip: false }, ...(fs.view === 'mean' ? [{ cropMargin: CROP_MARGIN, flip: true }] : [])];
  await extractFeatures(records, { backbones, variants, log, cacheRoot });
}

/** Records whose features are all cached. */
export function withCachedFeatures(records: FaceRecord[], caches: CacheSet, set: FeatureSetId): FaceRecord[] {
  const plainOnly = FEATURE_SETS[set].view === 'plain';
  const check: CacheSet = plainOnly ? { plain: caches.plain, flip: new Map() } : caches;
  const have = new Set(cachedKeys(records.map((r) => r.key), check));
  return records.filter((r) => have.has(r.key));
}

export function featureTable(keys: string[], set: FeatureSetId, caches: CacheSet): FeatureTable {
  const layout = layoutOf([...FEATURE_SETS[set].refs]);
  const dims = layoutDims(layout);
  const raw = featureMatrix(keys, layout, caches, FEATURE_SETS[set].view);
  const { mean, std } = columnStats(raw, keys.length, dims);
  return { keys, x: standardize(raw, dims, mean, std), dims, rowOf: new Map(keys.map((k, i) => [k, i])) };
}

/** The rows of `table` for `keys`, as a new matrix. */
export function rowsOf(table: FeatureTable, keys: readonly string[]): Float32Array {
  const out = new Float32Array(keys.length * table.dims);
  keys.forEach((k, i) => {
    const r = table.rowOf.get(k);
    if (r === undefined) throw new Error(`no features for ${k}`);
    out.set(table.x.subarray(r * table.dims, (r + 1) * table.dims), i * table.dims);
  });
  return out;
}

/**
 * The feature table of `records` for `set`, projected to `pcaDims` principal components (0 = keep
 * all), cached under `.cache/al/` (keyed by feature set, dims and the keys) since the projection
 * takes a minute on two cores.
 */
export async function loadTable(records: FaceRecord[], set: FeatureSetId, pcaDims: number, caches: CacheSet, log: (m: string) => void = () => {}): Promise<FeatureTable> {
  const keys = records.map((r) => r.key);
  const id = `${set}-pca${pcaDims}-${keys.length}-${hash53(keys.join('\n')).toString(36)}`;
  const dir = path.resolve(process.cwd(), '.cache', 'al');
  const file = path.join(dir, `${id}.f32`);
  if (existsSync(file)) {
    const buf = readFileSync(file);
    const x = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const dims = x.length / keys.length;
    if (Number.isInteger(dims)) return { keys, x, dims, rowOf: new Map(keys.map((k, i) => [k, i])) };
  }
  await initWasmBackend();
  const t0 = performance.now();
  let table = featureTable(keys, set, caches);
  if (pcaDims > 0 && pcaDims < table.dims) table = projectRows(table, pcaDims);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.from(table.x.buffer, table.x.byteOffset, table.x.byteLength));
  renameSync(tmp, file);
  log(`feature table ${id}: ${keys.length} × ${table.dims} built in ${((performance.now() - t0) / 1000).toFixed(0)} s (cached in .cache/al/)`);
  return table;
}
