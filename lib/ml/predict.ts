/**
 * Inference with a Facet age/gender model (browser and Node): preprocess each face for every
 * backbone, concatenate the backbone outputs named in the manifest, run the heads, decode.
 * The trainer decodes validation outputs with the same `decodeHeadOutputs`.
 */
import * as tf from '@tensorflow/tfjs';
import { AGE_BIN_CENTERS, AGE_BIN_COUNT } from '../domain/age-bins';
import { normalizedEntropy } from '../domain/uncertainty';
import type { Backbone } from './backbones';
import type { HeadsInfo, ModelManifest } from './manifest';
import { type FaceBox, mirrorHwc, type PixelImage, type PreprocessSpec, preprocessFace } from './preprocess';

export type FacePrediction = {
  age: number;
  /** P(female); UTKFace-style binary gender. */
  pFemale: number;
  gender: 'MALE' | 'FEMALE';
  /** Probabilities over the 24 age bins. */
  ageBins: number[];
  /** argmax of ageBins. */
  bin: number;
};

export type AgeGenderModel = {
  manifest: ModelManifest;
  backbones: Map<string, Backbone>;
  heads: tf.LayersModel;
};

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

function expectedOf(bins: ArrayLike<number>): number {
  let s = 0;
  let m = 0;
  for (let i = 0; i < AGE_BIN_COUNT; i++) {
    s += bins[i] * AGE_BIN_CENTERS[i];
    m += bins[i];
  }
  return s / m;
}

/** Turn the heads' raw outputs (one flat array per model output, N rows each) into predictions. */
export function decodeHeadOutputs(outputs: ArrayLike<number>[], n: number, heads: HeadsInfo): FacePrediction[] {
  const find = (kind: string, gender?: string) => heads.outputs.findIndex((o) => o.kind === kind && o.gender === gender);
  const gi = find('gender-sigmoid');
  if (gi < 0) throw new Error('heads have no gender output');
  const groups = heads.genderSpecificAge ? (['MALE', 'FEMALE'] as const) : ([undefined] as const);
  const preds: FacePrediction[] = [];
  for (let r = 0; r < n; r++) {
    const pFemale = outputs[gi][r];
    const mix = heads.genderSpecificAge ? [1 - pFemale, pFemale] : [1];
    const bins = new Array<number>(AGE_BIN_COUNT).fill(0);
    let reg = 0;
    groups.forEach((g, k) => {
      const bi = find('age-bins-softmax', g);
      const ri = find('age-regression', g);
      for (let i = 0; i < AGE_BIN_COUNT; i++) bins[i] += mix[k] * outputs[bi][r * AGE_BIN_COUNT + i];
      if (ri >= 0 && heads.ageRegression) reg += mix[k] * (outputs[ri][r] * heads.ageRegression.std + heads.ageRegression.mean);
    });
    const expected = expectedOf(bins);
    const age = heads.ageFrom === 'expected' || !heads.ageRegression ? expected : heads.ageFrom === 'regression' ? reg : (reg + expected) / 2;
    preds.push({ age: Math.max(0, age), pFemale, gender: pFemale >= 0.5 ? 'FEMALE' : 'MALE', ageBins: bins, bin: argmax(bins) });
  }
  return preds;
}

/** Run the heads on an [N, inputDims] feature matrix and decode. */
export function predictFromFeatures(heads: tf.LayersModel, info: HeadsInfo, features: Float32Array, n: number): FacePrediction[] {
  const outs = tf.tidy(() => {
    const y = heads.predict(tf.tensor2d(features, [n, info.inputDims]), { batchSize: 1024 }) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync() as Float32Array);
  });
  return decodeHeadOutputs(outs, n, info);
}

function averagePredictions(a: FacePrediction, b: FacePrediction): FacePrediction {
  const ageBins = a.ageBins.map((p, i) => (p + b.ageBins[i]) / 2);
  const pFemale = (a.pFemale + b.pFemale) / 2;
  return { age: (a.age + b.age) / 2, pFemale, gender: pFemale >= 0.5 ? 'FEMALE' : 'MALE', ageBins, bin: argmax(ageBins) };
}

type FaceCrop = { image: PixelImage; box: FaceBox };
type BackboneRef = ModelManifest['backbones'][number];

/** A face and whether the backbones see it mirrored (flip TTA). */
type FaceItem = { face: FaceCrop; flip: boolean };

/**
 * One backbone's input batch: every item cropped and normalised as that backbone expects. A face
 * that comes both plain and mirrored is resampled once; the mirror is that crop's rows reversed.
 */
function backboneInput(model: AgeGenderModel, ref: BackboneRef, items: FaceItem[]): { bb: Backbone; input: tf.Tensor4D } {
  const bb = model.backbones.get(ref.id);
  if (!bb) throw new Error(`backbone ${ref.id} not loaded`);
  const spec: PreprocessSpec = { ...ref.input, inputSize: ref.input.size, cropMargin: model.manifest.preprocessing.cropMargin };
  const s = spec.inputSize;
  const batch = new Float32Array(items.length * s * s * 3);
  const done = new Map<FaceCrop, { flip: boolean; data: Float32Array }>();
  items.forEach(({ face, flip }, i) => {
    const twin = done.get(face);
    const data = twin ? (twin.flip === flip ? twin.data : mirrorHwc(twin.data, s)) : preprocessFace(face.image, face.box, spec, flip);
    if (!twin) done.set(face, { flip, data });
    batch.set(data, i * s * s * 3);
  });
  return { bb, input: tf.tensor4d(batch, [items.length, s, s, 3]) };
}

const itemsOf = (faces: FaceCrop[], flip: boolean): FaceItem[] => faces.map((face) => ({ face, flip }));

/** The backbone outputs (keyed `backbone:node`) concatenated per face in the heads' feature layout. */
function layoutHeadFeatures(heads: HeadsInfo, nodes: Map<string, Float32Array>, n: number): Float32Array {
  const { featureLayout, inputDims } = heads;
  const x = new Float32Array(n * inputDims);
  for (let i = 0; i < n; i++) {
    let offset = i * inputDims;
    for (const f of featureLayout) {
      const src = nodes.get(`${f.backbone}:${f.node}`);
      if (!src) throw new Error(`backbone output ${f.backbone}:${f.node} missing`);
      x.set(src.subarray(i * f.dims, (i + 1) * f.dims), offset);
      offset += f.dims;
    }
  }
  return x;
}

/** Backbone features for faces (optionally mirrored), laid out as the heads expect. */
export function extractHeadFeatures(model: AgeGenderModel, faces: FaceCrop[], flip: boolean): Float32Array {
  const nodes = new Map<string, Float32Array>();
  for (const ref of model.manifest.backbones) {
    const outs = tf.tidy(() => {
      const { bb, input } = backboneInput(model, ref, itemsOf(faces, flip));
      const o = bb.run(input);
      return Object.fromEntries(Object.entries(o).map(([k, t]) => [k, t.dataSync() as Float32Array]));
    });
    for (const [k, v] of Object.entries(outs)) nodes.set(`${ref.id}:${k}`, v);
  }
  return layoutHeadFeatures(model.manifest.heads, nodes, faces.length);
}

/** Full pipeline for a batch of faces (boxes in image pixels). */
export function predictFaces(model: AgeGenderModel, faces: FaceCrop[]): FacePrediction[] {
  if (faces.length === 0) return [];
  const { heads: info, preprocessing } = model.manifest;
  const n = faces.length;
  const plain = extractHeadFeatures(model, faces, false);
  if (preprocessing.flipTta === 'none') return predictFromFeatures(model.heads, info, plain, n);
  const mirrored = extractHeadFeatures(model, faces, true);
  if (preprocessing.flipTta === 'mean-features') {
    for (let i = 0; i < plain.length; i++) plain[i] = (plain[i] + mirrored[i]) / 2;
    return predictFromFeatures(model.heads, info, plain, n);
  }
  const a = predictFromFeatures(model.heads, info, plain, n);
  const b = predictFromFeatures(model.heads, info, mirrored, n);
  return a.map((p, i) => averagePredictions(p, b[i]));
}

/*
 * Async variants for the browser: WebGPU's synchronous read (dataSync) goes through a canvas and
 * returns garbage on some adapters (measured: NaN on SwiftShader), so the worker reads with data().
 */

async function readAll(tensors: Record<string, tf.Tensor>): Promise<Record<string, Float32Array>> {
  const keys = Object.keys(tensors);
  const values = await Promise.all(keys.map((k) => tensors[k].data() as Promise<Float32Array>));
  keys.forEach((k) => tensors[k].dispose());
  return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
}

/** Head features of `items`, each backbone run once on all of them (one batch: far cheaper per face than one call each). */
async function extractHeadFeaturesAsync(model: AgeGenderModel, items: FaceItem[]): Promise<Float32Array> {
  const nodes = new Map<string, Float32Array>();
  for (const ref of model.manifest.backbones) {
    const { bb, input } = backboneInput(model, ref, items);
    const outs = await readAll(bb.run(input));
    input.dispose();
    for (const [k, v] of Object.entries(outs)) nodes.set(`${ref.id}:${k}`, v);
  }
  return layoutHeadFeatures(model.manifest.heads, nodes, items.length);
}

async function predictFromFeaturesAsync(heads: tf.LayersModel, info: HeadsInfo, features: Float32Array, n: number): Promise<FacePrediction[]> {
  const ys = tf.tidy(() => {
    const y = heads.predict(tf.tensor2d(features, [n, info.inputDims]), { batchSize: 1024 }) as tf.Tensor | tf.Tensor[];
    return Array.isArray(y) ? y : [y];
  });
  const outs = await readAll(Object.fromEntries(ys.map((t, i) => [String(i), t])));
  return decodeHeadOutputs(ys.map((_, i) => outs[String(i)]), n, info);
}

/**
 * Which faces get the mirrored second pass the manifest's flipTta asks for: all (as evaluated),
 * none, or only the uncertain ones. Measured on the UTKFace test split with r0 (n = 2,349): all
 * 4.26 y / 95.27%, none 4.46 / 94.89%, uncertain 4.41 / 95.23% mirroring 10% of faces.
 */
export type MirrorMode = 'all' | 'uncertain' | 'none';

/** Gender margin or age-bin entropy (nats) beyond which a face counts as uncertain for `mirror: 'uncertain'`. */
export const MIRROR_WHEN = { genderMargin: 0.3, ageEntropy: 2.2 } as const;

export function isUncertain(p: FacePrediction): boolean {
  const entropy = normalizedEntropy(p.ageBins) * Math.log(p.ageBins.length); // back to nats
  return Math.abs(p.pFemale - 0.5) < MIRROR_WHEN.genderMargin || entropy > MIRROR_WHEN.ageEntropy;
}

/** predictFaces with asynchronous reads (same results with mirror 'all'; use it in the browser). */
export async function predictFacesAsync(model: AgeGenderModel, faces: FaceCrop[], mirror: MirrorMode = 'all'): Promise<FacePrediction[]> {
  if (faces.length === 0) return [];
  const { heads: info, preprocessing } = model.manifest;
  const n = faces.length;
  const dims = info.inputDims;
  const meanFeatures = preprocessing.flipTta === 'mean-features';
  if (meanFeatures && mirror === 'all') {
    // Plain and mirrored faces in one batch per backbone, then the heads on the mean features.
    const both = await extractHeadFeaturesAsync(model, [...itemsOf(faces, false), ...itemsOf(faces, true)]);
    const mean = new Float32Array(n * dims);
    for (let i = 0; i < n * dims; i++) mean[i] = (both[i] + both[n * dims + i]) / 2;
    return predictFromFeaturesAsync(model.heads, info, mean, n);
  }
  const plain = await extractHeadFeaturesAsync(model, itemsOf(faces, false));
  const plainPreds = await predictFromFeaturesAsync(model.heads, info, plain, n);
  if (preprocessing.flipTta === 'none' || mirror === 'none') return plainPreds;
  const picked = mirror === 'all' ? faces.map((_, i) => i) : plainPreds.flatMap((p, i) => (isUncertain(p) ? [i] : []));
  if (picked.length === 0) return plainPreds;
  const mirrored = await extractHeadFeaturesAsync(model, picked.map((i) => ({ face: faces[i], flip: true })));
  if (meanFeatures) {
    const mean = new Float32Array(picked.length * dims);
    picked.forEach((face, k) => {
      for (let j = 0; j < dims; j++) mean[k * dims + j] = (plain[face * dims + j] + mirrored[k * dims + j]) / 2;
    });
    const averaged = await predictFromFeaturesAsync(model.heads, info, mean, picked.length);
    const out = [...plainPreds];
    picked.forEach((face, k) => (out[face] = averaged[k]));
    return out;
  }
  const b = await predictFromFeaturesAsync(model.heads, info, mirrored, picked.length);
  const out = [...plainPreds];
  picked.forEach((face, k) => (out[face] = averagePredictions(plainPreds[face], b[k])));
  return out;
}
