/**
 * Frozen pretrained face backbones, shared by browser and Node. Weights are the files shipped in
 * @vladmandic/face-api (MIT); the forward passes are re-implemented here with plain tfjs ops from
 * face-api's own source, so one tfjs instance and one preprocessing path (preprocess.ts) serve both
 * sides. Loading from disk lives in backbones.node.ts; the browser loads from public/models/vendor.
 */
import * as tf from '@tensorflow/tfjs';
import type { PreprocessSpec } from './preprocess';

export type BackboneId = 'faceapi-agegender' | 'faceapi-recognition';

export type BackboneSpec = {
  id: BackboneId;
  package: string;
  packageVersion: string;
  /** Files in the package's model/ folder (face-api weights manifest + shard). */
  files: { manifest: string; weights: string[] };
  preprocess: Omit<PreprocessSpec, 'cropMargin'>;
  /** Named outputs of `run`, with their widths. */
  outputs: Record<string, number>;
  description: string;
  trainedOnUtkFace: boolean;
};

const FACE_API_MEAN = [122.782, 117.001, 104.298] as const;

export const BACKBONES: Record<BackboneId, BackboneSpec> = {
  'faceapi-agegender': {
    id: 'faceapi-agegender',
    package: '@vladmandic/face-api',
    packageVersion: '1.7.15',
    files: { manifest: 'age_gender_model-weights_manifest.json', weights: ['age_gender_model.bin'] },
    preprocess: { inputSize: 112, colorOrder: 'RGB', mean: FACE_API_MEAN, scale: 1 / 255, padValue: 0 },
    outputs: { gap: 512, gmp: 512, mid: 128, age: 1, male: 1 },
    description:
      'face-api AgeGenderNet: TinyXception (2 main blocks) → 7×7×512; gap/gmp = global mean/max of ' +
      'that map, mid = global mean of the 14×14×128 middle-flow output; age/male = face-api’s own heads',
    trainedOnUtkFace: true,
  },
  'faceapi-recognition': {
    id: 'faceapi-recognition',
    package: '@vladmandic/face-api',
    packageVersion: '1.7.15',
    files: { manifest: 'face_recognition_model-weights_manifest.json', weights: ['face_recognition_model.bin'] },
    preprocess: { inputSize: 150, colorOrder: 'RGB', mean: FACE_API_MEAN, scale: 1 / 255, padValue: 0 },
    outputs: { descriptor: 128, gap: 256 },
    description: 'face-api FaceRecognitionNet (dlib ResNet-34-like): gap = 256-d pooled map, descriptor = 128-d embedding',
    trainedOnUtkFace: false,
  },
};

type WeightGroup = { paths: string[]; weights: tf.io.WeightsManifestEntry[] };

/** Decode a face-api weights manifest (possibly quantised) + its shards into named tensors. */
export function decodeWeightMap(manifest: WeightGroup[], shards: ArrayBuffer[]): tf.NamedTensorMap {
  const map: tf.NamedTensorMap = {};
  let shard = 0;
  for (const group of manifest) {
    const buffers = group.paths.map(() => shards[shard++]);
    if (buffers.some((b) => !b)) throw new Error('weights manifest names more shards than were given');
    Object.assign(map, tf.io.decodeWeights(tf.io.concatenateArrayBuffers(buffers), group.weights));
  }
  return map;
}

export type Backbone = {
  spec: BackboneSpec;
  /** Input: normalised [N, size, size, 3]. Output: [N, width] per named output. Caller disposes. */
  run(input: tf.Tensor4D): Record<string, tf.Tensor2D>;
  dispose(): void;
};

/** Weight `name` of a face-api net (`net` names it in the error when missing). */
export function need(w: tf.NamedTensorMap, name: string, net = 'backbone'): tf.Tensor {
  const t = w[name];
  if (!t) throw new Error(`${net} weight ${name} missing`);
  return t;
}

type Activation = 'linear' | 'relu';
/** A fused kernel's activation (the detector's is a leaky ReLU). */
export type FusedActivation = { activation: Activation | 'leakyrelu'; leakyreluAlpha?: number };

/**
 * face-api's separable conv `p` (`depthwise_filter`, `pointwise_filter`, `bias`), 3×3 'same' at stride 1:
 * depthwise, then pointwise 1×1 with the bias and activation fused into its kernel (= tf.separableConv2d + add + act).
 */
export function separable(w: tf.NamedTensorMap, t: tf.Tensor4D, p: string, act: Activation | FusedActivation = 'linear', net = 'backbone'): tf.Tensor4D {
  const dw = tf.depthwiseConv2d(t, need(w, `${p}/depthwise_filter`, net) as tf.Tensor4D, 1, 'same');
  const fused = typeof act === 'string' ? { activation: act } : act;
  return tf.fused.conv2d({ x: dw, filter: need(w, `${p}/pointwise_filter`, net) as tf.Tensor4D, strides: 1, pad: 'valid', bias: need(w, `${p}/bias`, net), ...fused });
}

/**
 * face-api's TinyXception. A ReLU that only ever feeds the next layer is fused into the layer that
 * produces its input; ReLUs on tensors also used raw (residual inputs) stay separate.
 */
function xceptionForward(w: tf.NamedTensorMap, x: tf.Tensor4D): Record<string, tf.Tensor2D> {
  const conv = (t: tf.Tensor4D, p: string, stride: number, activation: Activation) =>
    tf.fused.conv2d({ x: t, filter: need(w, `${p}/filters`) as tf.Tensor4D, strides: stride, pad: 'same', bias: need(w, `${p}/bias`), activation });
  const reduction = (t: tf.Tensor4D, p: string, activateInput = true) => {
    let out = separable(w, activateInput ? tf.relu(t) : t, `${p}/separable_conv0`, 'relu');
    out = separable(w, out, `${p}/separable_conv1`);
    out = tf.maxPool(out, 3, 2, 'same');
    return tf.add(out, conv(t, `${p}/expansion_conv`, 2, 'linear')) as tf.Tensor4D;
  };
  const main = (t: tf.Tensor4D, p: string) => {
    let out = separable(w, tf.relu(t), `${p}/separable_conv0`, 'relu');
    out = separable(w, out, `${p}/separable_conv1`, 'relu');
    out = separable(w, out, `${p}/separable_conv2`);
    return tf.add(out, t) as tf.Tensor4D;
  };
  let out = conv(x, 'entry_flow/conv_in', 2, 'relu');
  out = reduction(out, 'entry_flow/reduction_block_0', false);
  out = reduction(out, 'entry_flow/reduction_block_1');
  out = main(out, 'middle_flow/main_block_0');
  out = main(out, 'middle_flow/main_block_1');
  const mid = tf.mean(out, [1, 2]) as tf.Tensor2D;
  out = reduction(out, 'exit_flow/reduction_block');
  out = separable(w, out, 'exit_flow/separable_conv', 'relu');
  const gap = tf.mean(out, [1, 2]) as tf.Tensor2D;
  const gmp = tf.max(out, [1, 2]) as tf.Tensor2D;
  const age = tf.add(tf.matMul(gap, need(w, 'fc/age/weights') as tf.Tensor2D), need(w, 'fc/age/bias')) as tf.Tensor2D;
  const genderLogits = tf.add(tf.matMul(gap, need(w, 'fc/gender/weights') as tf.Tensor2D), need(w, 'fc/gender/bias'));
  const male = tf.slice(tf.softmax(genderLogits), [0, 0], [-1, 1]) as tf.Tensor2D;
  return { gap, gmp, mid, age, male };
}

/**
 * face-api's ResNet layers are conv + bias, then a per-channel scale and shift. Folded once into the
 * filter and bias (filter·s, bias·s + shift), each layer is one fused conv kernel; outputs agree with
 * the unfolded layers to float rounding (~1e-5).
 */
export function foldResnetScales(w: tf.NamedTensorMap): tf.NamedTensorMap {
  const folded: tf.NamedTensorMap = { ...w };
  for (const name of Object.keys(w)) {
    if (!name.endsWith('/conv/filters')) continue;
    const p = name.slice(0, -'/conv/filters'.length);
    const scale = need(w, `${p}/scale/weights`);
    folded[`${p}/conv/filters`] = tf.tidy(() => tf.mul(need(w, name), scale));
    folded[`${p}/conv/bias`] = tf.tidy(() => tf.add(tf.mul(need(w, `${p}/conv/bias`), scale), need(w, `${p}/scale/biases`)));
  }
  return folded;
}

/** face-api's ResNet-34-like recognition net, on weights passed through foldResnetScales. */
function resnetForward(w: tf.NamedTensorMap, x: tf.Tensor4D): Record<string, tf.Tensor2D> {
  const convLayer = (t: tf.Tensor4D, p: string, stride: number, relu: boolean, padding: 'same' | 'valid' = 'same') =>
    tf.fused.conv2d({ x: t, filter: need(w, `${p}/conv/filters`) as tf.Tensor4D, strides: stride, pad: padding, bias: need(w, `${p}/conv/bias`), activation: relu ? 'relu' : 'linear' });
  const residual = (t: tf.Tensor4D, p: string) =>
    tf.relu(tf.add(convLayer(convLayer(t, `${p}/conv1`, 1, true), `${p}/conv2`, 1, false), t)) as tf.Tensor4D;
  const residualDown = (t: tf.Tensor4D, p: string) => {
    let out = convLayer(convLayer(t, `${p}/conv1`, 2, true, 'valid'), `${p}/conv2`, 1, false);
    let pooled = tf.avgPool(t, 2, 2, 'valid') as tf.Tensor4D;
    if (pooled.shape[1] !== out.shape[1] || pooled.shape[2] !== out.shape[2]) {
      out = tf.pad(out, [[0, 0], [0, 1], [0, 1], [0, 0]]);
    }
    if (pooled.shape[3] !== out.shape[3]) pooled = tf.concat([pooled, tf.zerosLike(pooled)], 3);
    return tf.relu(tf.add(pooled, out)) as tf.Tensor4D;
  };
  let out = convLayer(x, 'conv32_down', 2, true, 'valid');
  out = tf.maxPool(out, 3, 2, 'valid');
  for (const p of ['conv32_1', 'conv32_2', 'conv32_3']) out = residual(out, p);
  out = residualDown(out, 'conv64_down');
  for (const p of ['conv64_1', 'conv64_2', 'conv64_3']) out = residual(out, p);
  out = residualDown(out, 'conv128_down');
  for (const p of ['conv128_1', 'conv128_2']) out = residual(out, p);
  out = residualDown(out, 'conv256_down');
  for (const p of ['conv256_1', 'conv256_2']) out = residual(out, p);
  out = residualDown(out, 'conv256_down_out');
  const gap = tf.mean(out, [1, 2]) as tf.Tensor2D;
  const descriptor = tf.matMul(gap, need(w, 'fc') as tf.Tensor2D) as tf.Tensor2D;
  return { descriptor, gap };
}

export function createBackbone(spec: BackboneSpec, weights: tf.NamedTensorMap): Backbone {
  const resnet = spec.id === 'faceapi-recognition';
  const w = resnet ? foldResnetScales(weights) : weights;
  if (resnet) for (const [name, t] of Object.entries(weights)) if (w[name] !== t) t.dispose();
  const forward = resnet ? resnetForward : xceptionForward;
  return {
    spec,
    run: (input) => tf.tidy(() => forward(w, input)),
    dispose: () => Object.values(w).forEach((t) => t.dispose()),
  };
}

/** Browser (or any fetch): load from `${baseUrl}/<file>`, e.g. /models/vendor/@vladmandic/face-api. */
export async function loadBackboneFromUrl(spec: BackboneSpec, baseUrl: string, fetchFn: typeof fetch = fetch): Promise<Backbone> {
  const base = baseUrl.replace(/\/$/, '');
  const get = async (file: string) => {
    const res = await fetchFn(`${base}/${file}`);
    if (!res.ok) throw new Error(`fetch ${base}/${file}: HTTP ${res.status}`);
    return res;
  };
  const manifest = (await (await get(spec.files.manifest)).json()) as WeightGroup[];
  const shards = await Promise.all(manifest.flatMap((g) => g.paths).map(async (p) => (await get(p)).arrayBuffer()));
  return createBackbone(spec, decodeWeightMap(manifest, shards));
}
