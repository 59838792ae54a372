/**
 * Face detector: face-api's tiny_face_detector (a Tiny-YOLOv2 with depthwise-separable convs,
 * weights from @vladmandic/face-api, MIT) re-implemented with plain tfjs ops from face-api's source
 * (src/tinyYolov2/TinyYolov2Base.ts), so it runs on Facet's own tfjs in the browser and in Node.
 *
 * Differences from face-api, all deliberate: the input is not padded to a square (the net is fully
 * convolutional; a 4:3 photo costs 25% less), the resize is preprocess.ts's deterministic JS
 * resample (same input in every engine), and boxes come back in image pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { decodeWeightMap, need, separable } from './backbones';
import { type FaceBox, type PixelImage, cropResize } from './preprocess';

export const TINY_DETECTOR = {
  id: 'faceapi-tiny-face-detector',
  package: '@vladmandic/face-api',
  files: { manifest: 'tiny_face_detector_model-weights_manifest.json' },
  /** Anchor sizes in grid cells (32 input pixels each), from face-api's tinyFaceDetector/const.ts. */
  anchors: [
    [1.603231, 2.094468],
    [6.041143, 7.080126],
    [2.882459, 3.518061],
    [4.266906, 5.178857],
    [9.041765, 10.66308],
  ] as const,
  meanRgb: [117.001, 114.697, 97.404] as const,
  cell: 32,
} as const;

export type Detection = { box: FaceBox; score: number };

export type DetectOptions = {
  /** Long side of the detector input in pixels (multiple of 32). Larger finds smaller faces, costs ~quadratically. */
  inputSize?: number;
  scoreThreshold?: number;
  iouThreshold?: number;
  /** Drop boxes smaller than this (image pixels) — too small to label. */
  minFaceSize?: number;
};

/** 608: finds all 24 faces of 60–110 px in 600–1100 px group photos, where 416 misses a third (measured). */
export const DEFAULT_DETECT: Required<DetectOptions> = { inputSize: 608, scoreThreshold: 0.5, iouThreshold: 0.4, minFaceSize: 12 };

/** The detector's long side for an image: `inputSize`, but never upscaling past the image (rounded up to 32, at least 224). */
export function effectiveInputSize(imageWidth: number, imageHeight: number, inputSize = DEFAULT_DETECT.inputSize): number {
  const own = Math.ceil(Math.max(imageWidth, imageHeight) / TINY_DETECTOR.cell) * TINY_DETECTOR.cell;
  return Math.min(inputSize, Math.max(224, own));
}

export type FaceDetector = {
  id: string;
  /** Faces in image pixels (clipped to the image), best first. */
  detect(image: PixelImage, options?: DetectOptions): Promise<Detection[]>;
  dispose(): void;
};

/** Detector input geometry: image scaled by `scale` into the top-left of a width×height grid (multiples of 32). */
export function detectorGeometry(imageWidth: number, imageHeight: number, inputSize: number) {
  if (inputSize % TINY_DETECTOR.cell !== 0) throw new RangeError('detector inputSize must be a multiple of 32');
  const scale = inputSize / Math.max(imageWidth, imageHeight);
  const up = (v: number) => Math.max(TINY_DETECTOR.cell, Math.ceil((v * scale) / TINY_DETECTOR.cell) * TINY_DETECTOR.cell);
  return { scale, width: up(imageWidth), height: up(imageHeight) };
}

/** Map a box from detector-input pixels back to image pixels, clipped to the image. */
export function mapBoxToImage(box: FaceBox, scale: number, imageWidth: number, imageHeight: number): FaceBox {
  const x0 = Math.max(0, box.x / scale);
  const y0 = Math.max(0, box.y / scale);
  const x1 = Math.min(imageWidth, (box.x + box.width) / scale);
  const y1 = Math.min(imageHeight, (box.y + box.height) / scale);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

export function iou(a: FaceBox, b: FaceBox): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy non-maximum suppression: best score first, drop boxes overlapping a kept one by more than `threshold`. */
export function nonMaxSuppression(dets: Detection[], threshold: number): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) if (kept.every((k) => iou(k.box, d.box) <= threshold)) kept.push(d);
  return kept;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Decode the [cellsY, cellsX, anchors·5] output into boxes in detector-input pixels (face-api's extractBoxes). */
export function decodeGrid(out: Float32Array, cellsY: number, cellsX: number, scoreThreshold: number): Detection[] {
  const { anchors, cell } = TINY_DETECTOR;
  const dets: Detection[] = [];
  for (let row = 0; row < cellsY; row++) {
    for (let col = 0; col < cellsX; col++) {
      for (let a = 0; a < anchors.length; a++) {
        const o = ((row * cellsX + col) * anchors.length + a) * 5;
        const score = sigmoid(out[o + 4]);
        if (score <= scoreThreshold) continue;
        const cx = (col + sigmoid(out[o])) * cell;
        const cy = (row + sigmoid(out[o + 1])) * cell;
        const w = Math.exp(out[o + 2]) * anchors[a][0] * cell;
        const h = Math.exp(out[o + 3]) * anchors[a][1] * cell;
        dets.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score });
      }
    }
  }
  return dets;
}

/** Normalised detector input [1, height, width, 3] (zero padding right/bottom, like face-api's padToSquare). */
export function detectorInput(image: PixelImage, inputSize: number) {
  const geo = detectorGeometry(image.width, image.height, inputSize);
  // Already at the detector's scale (the coarse pass's natively resized copy): read the pixels as they are.
  const same = geo.scale === 1;
  const side = Math.max(geo.width, geo.height);
  // A square crop of side side/scale at the origin: pixels past the image take 0, as face-api pads.
  const square = same ? image.data : cropResize(image, { x: 0, y: 0, width: side / geo.scale, height: side / geo.scale }, side, 0, { padValue: 0 });
  const [stride, channels] = same ? [image.width, image.channels] : [side, 3];
  const data = new Float32Array(geo.width * geo.height * 3);
  const [mr, mg, mb] = TINY_DETECTOR.meanRgb;
  const inW = image.width * geo.scale;
  const inH = image.height * geo.scale;
  for (let y = 0; y < geo.height; y++) {
    for (let x = 0; x < geo.width; x++) {
      const s = (y * stride + x) * channels;
      const d = (y * geo.width + x) * 3;
      // face-api subtracts the mean after padding, so padded pixels are (0 − mean) / 255.
      if (x >= inW || y >= inH) {
        data[d] = -mr / 255;
        data[d + 1] = -mg / 255;
        data[d + 2] = -mb / 255;
      } else {
        data[d] = (square[s] - mr) / 255;
        data[d + 1] = (square[s + 1] - mg) / 255;
        data[d + 2] = (square[s + 2] - mb) / 255;
      }
    }
  }
  return { ...geo, data };
}

/**
 * The network, as fused conv + bias + leaky-ReLU kernels: one kernel per layer instead of face-api's
 * pad, conv, add and two-op leaky ReLU (same numbers: a 3×3 'same' conv at stride 1 is the explicit
 * one-pixel zero pad), about half the detector's time on wasm.
 */
export function tinyForward(w: tf.NamedTensorMap, x: tf.Tensor4D): tf.Tensor4D {
  const get = (name: string) => need(w, name, 'detector');
  const leaky = { activation: 'leakyrelu', leakyreluAlpha: 0.1 } as const;
  let out = tf.fused.conv2d({ x, filter: get('conv0/filters') as tf.Tensor4D, strides: 1, pad: 'valid', bias: get('conv0/bias'), ...leaky });
  for (const p of ['conv1', 'conv2', 'conv3', 'conv4', 'conv5']) {
    out = tf.maxPool(out, 2, 2, 'same');
    out = separable(w, out, p, leaky, 'detector');
  }
  out = tf.maxPool(out, 2, 1, 'same');
  return tf.fused.conv2d({ x: out, filter: get('conv8/filters') as tf.Tensor4D, strides: 1, pad: 'valid', bias: get('conv8/bias') });
}

export function createTinyDetector(weights: tf.NamedTensorMap): FaceDetector {
  return {
    id: TINY_DETECTOR.id,
    async detect(image, options = {}) {
      const opts = { ...DEFAULT_DETECT, ...options };
      const input = detectorInput(image, effectiveInputSize(image.width, image.height, opts.inputSize));
      const out = tf.tidy(() => tinyForward(weights, tf.tensor4d(input.data, [1, input.height, input.width, 3])));
      const [, cellsY, cellsX] = out.shape;
      const grid = (await out.data()) as Float32Array;
      out.dispose();
      const dets = nonMaxSuppression(decodeGrid(grid, cellsY, cellsX, opts.scoreThreshold), opts.iouThreshold);
      return dets
        .map((d) => ({ score: d.score, box: mapBoxToImage(d.box, input.scale, image.width, image.height) }))
        .filter((d) => d.box.width >= opts.minFaceSize && d.box.height >= opts.minFaceSize);
    },
    dispose: () => Object.values(weights).forEach((t) => t.dispose()),
  };
}

/** Browser (or any fetch): weights from `${baseUrl}/tiny_face_detector_model-weights_manifest.json` + shards. */
export async function loadDetectorFromUrl(baseUrl: string, fetchFn: typeof fetch = fetch): Promise<FaceDetector> {
  const base = baseUrl.replace(/\/$/, '');
  const get = async (file: string) => {
    const res = await fetchFn(`${base}/${file}`);
    if (!res.ok) throw new Error(`face detector: ${base}/${file}: HTTP ${res.status}`);
    return res;
  };
  const manifest = (await (await get(TINY_DETECTOR.files.manifest)).json()) as Parameters<typeof decodeWeightMap>[0];
  const shards = await Promise.all(manifest.flatMap((g) => g.paths).map(async (p) => (await get(p)).arrayBuffer()));
  return createTinyDetector(decodeWeightMap(manifest, shards));
}
