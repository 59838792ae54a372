/**
 * The one face preprocessing path, shared by the browser (ImageData) and Node (sharp raw pixels):
 * face box → square crop with margin (samples outside the image = padValue) → resampled to the
 * backbone's input size → normalised. The resampling is plain JS (separable triangle filter,
 * antialiased when shrinking, like PIL's BILINEAR), so it gives bit-identical results in every
 * JS engine and does not depend on a tfjs backend's resize kernel.
 */
import * as tf from '@tensorflow/tfjs';

export type FaceBox = { x: number; y: number; width: number; height: number };

/** Interleaved 8-bit pixels: RGBA (ImageData, channels 4) or RGB (sharp raw, channels 3). */
export type PixelImage = {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: 3 | 4;
};

export type PreprocessSpec = {
  /** Output side in pixels (square). */
  inputSize: number;
  /** Extra border on each side, relative to the box's larger side (0.2 = 20% each side). */
  cropMargin: number;
  colorOrder: 'RGB' | 'BGR';
  /** output = (value - mean[c]) * scale, value in 0..255. */
  mean: readonly [number, number, number];
  scale: number;
  /** Value (0..255) of pixels outside the image. */
  padValue: number;
};

/** An integer pixel rectangle inside an image. */
export type PixelRect = { x: number; y: number; width: number; height: number };

/**
 * An image whose pixels are read a rectangle at a time (the browser's decoded bitmap: reading only
 * the faces' regions instead of the whole photo saves most of the canvas read-back). `read()` with
 * no rectangle returns the whole image.
 */
export type PixelSource = {
  width: number;
  height: number;
  read(rect?: PixelRect): PixelImage;
  /** A copy whose long side is `longSide` px, resampled natively (the browser's createImageBitmap); absent: callers resample in JS. */
  scaled?(longSide: number): Promise<PixelImage>;
};

/**
 * The smallest rectangle holding every source pixel that preprocessFace(image, box, spec) reads for
 * inputs of `minInputSize` px and up: the margin square grown by the resampler's support, clipped to the
 * image. Preprocessing that rectangle's pixels with the box shifted by its origin gives the same numbers.
 */
export function faceRegion(box: FaceBox, margin: number, minInputSize: number, image: { width: number; height: number }): PixelRect {
  const crop = squareCrop(box, margin);
  const reach = Math.max(crop.side / minInputSize, 1) + 2;
  const x0 = Math.min(image.width - 1, Math.max(0, Math.floor(crop.x - reach)));
  const y0 = Math.min(image.height - 1, Math.max(0, Math.floor(crop.y - reach)));
  const x1 = Math.min(image.width, Math.ceil(crop.x + crop.side + reach));
  const y1 = Math.min(image.height, Math.ceil(crop.y + crop.side + reach));
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/** An in-memory image as a PixelSource (reads copy the rectangle). */
export function pixelSource(image: PixelImage): PixelSource {
  return {
    width: image.width,
    height: image.height,
    read(rect) {
      if (!rect || (rect.x === 0 && rect.y === 0 && rect.width === image.width && rect.height === image.height)) return image;
      const { channels } = image;
      const data = new Uint8ClampedArray(rect.width * rect.height * channels);
      for (let y = 0; y < rect.height; y++) {
        const from = ((rect.y + y) * image.width + rect.x) * channels;
        for (let i = 0; i < rect.width * channels; i++) data[y * rect.width * channels + i] = image.data[from + i];
      }
      return { data, width: rect.width, height: rect.height, channels };
    },
  };
}

export type SquareCrop = { x: number; y: number; side: number };

/** The square (in image pixels, may extend past the borders) centred on the box. */
export function squareCrop(box: FaceBox, margin: number): SquareCrop {
  const side = Math.max(box.width, box.height) * (1 + 2 * margin);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return { x: cx - side / 2, y: cy - side / 2, side };
}

type Taps = { start: number; weights: Float64Array; outside: boolean }[];

/**
 * For each output sample: the first source index and normalised triangle-filter weights, with the
 * taps clipped to the image [0, limit) and renormalised (like PIL); a sample whose centre falls
 * outside the image is `outside` (it takes the pad value).
 */
function resampleTaps(origin: number, span: number, outSize: number, limit: number): Taps {
  const scale = span / outSize;
  const support = Math.max(scale, 1);
  const taps: Taps = [];
  for (let j = 0; j < outSize; j++) {
    const center = origin + (j + 0.5) * scale;
    const start = Math.max(0, Math.floor(center - support));
    const end = Math.min(limit, Math.ceil(center + support));
    const outside = center < 0 || center >= limit || end <= start;
    const weights = new Float64Array(outside ? 0 : end - start);
    let total = 0;
    for (let k = 0; k < weights.length; k++) {
      const w = Math.max(0, 1 - Math.abs((start + k + 0.5 - center) / support));
      weights[k] = w;
      total += w;
    }
    for (let k = 0; k < weights.length; k++) weights[k] /= total;
    taps.push({ start, weights, outside });
  }
  return taps;
}

/**
 * Crop + resample to size×size×3 RGB values in 0..255 (Float32Array, HWC, not normalised).
 * `flip` mirrors the output horizontally (test-time / training augmentation).
 */
export function cropResize(
  image: PixelImage,
  box: FaceBox,
  size: number,
  margin: number,
  options: { padValue?: number; flip?: boolean } = {},
): Float32Array {
  const { data, width, height, channels } = image;
  if (data.length < width * height * channels) throw new RangeError('pixel data shorter than width*height*channels');
  const pad = options.padValue ?? 0;
  const crop = squareCrop(box, margin);
  if (!(crop.side > 0)) throw new RangeError('face box must have a positive size');
  const xTaps = resampleTaps(crop.x, crop.side, size, width);
  const yTaps = resampleTaps(crop.y, crop.side, size, height);
  // Flat tap tables for the inner loops (same weights, same summation order as per-sample arrays).
  const xt = flatTaps(xTaps);
  const inY = yTaps.filter((t) => !t.outside);
  const y0 = inY.length ? inY[0].start : 0;
  const y1 = inY.length ? Math.max(...inY.map((t) => t.start + t.weights.length)) : 0;
  // Horizontal pass over the source rows the vertical pass needs.
  const rows = new Float64Array(Math.max(0, y1 - y0) * size * 3);
  for (let sy = y0; sy < y1; sy++) {
    let o = (sy - y0) * size * 3;
    const rowStart = sy * width;
    for (let j = 0; j < size; j++, o += 3) {
      const n = xt.count[j];
      let p = (rowStart + xt.start[j]) * channels;
      let wi = j * xt.stride;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < n; k++, p += channels) {
        const w = xt.weights[wi++];
        r += w * data[p];
        g += w * data[p + 1];
        b += w * data[p + 2];
      }
      rows[o] = r;
      rows[o + 1] = g;
      rows[o + 2] = b;
    }
  }
  const out = new Float32Array(size * size * 3);
  for (let i = 0; i < size; i++) {
    const { start, weights, outside: rowOutside } = yTaps[i];
    const base = (start - y0) * size * 3;
    for (let j = 0; j < size; j++) {
      const o = (i * size + (options.flip ? size - 1 - j : j)) * 3;
      if (rowOutside || xt.outside[j]) {
        out[o] = out[o + 1] = out[o + 2] = pad;
        continue;
      }
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0, q = base + j * 3; k < weights.length; k++, q += size * 3) {
        const w = weights[k];
        r += w * rows[q];
        g += w * rows[q + 1];
        b += w * rows[q + 2];
      }
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
  return out;
}

/** Taps as flat typed arrays: `count[j]` weights from `weights[j·stride]`, first source index `start[j]`. */
function flatTaps(taps: Taps) {
  const stride = Math.max(1, ...taps.map((t) => t.weights.length));
  const weights = new Float64Array(taps.length * stride);
  const start = new Int32Array(taps.length);
  const count = new Int32Array(taps.length);
  const outside = new Uint8Array(taps.length);
  taps.forEach((t, j) => {
    weights.set(t.weights, j * stride);
    start[j] = t.start;
    count[j] = t.weights.length;
    outside[j] = t.outside ? 1 : 0;
  });
  return { stride, weights, start, count, outside };
}

/** In place: channel order and (value - mean) * scale. */
export function normalizePixels(rgb: Float32Array, spec: Pick<PreprocessSpec, 'colorOrder' | 'mean' | 'scale'>): Float32Array {
  const bgr = spec.colorOrder === 'BGR';
  for (let p = 0; p < rgb.length; p += 3) {
    const r = rgb[p];
    const b = rgb[p + 2];
    if (bgr) {
      rgb[p] = b;
      rgb[p + 2] = r;
    }
    for (let c = 0; c < 3; c++) rgb[p + c] = (rgb[p + c] - spec.mean[c]) * spec.scale;
  }
  return rgb;
}

/** Pure-array path: the normalised size×size×3 input for one face. */
export function preprocessFace(image: PixelImage, box: FaceBox, spec: PreprocessSpec, flip = false): Float32Array {
  const rgb = cropResize(image, box, spec.inputSize, spec.cropMargin, { padValue: spec.padValue, flip });
  return normalizePixels(rgb, spec);
}

/** The whole image as the box (UTKFace crops are already aligned face crops). */
export function wholeImageBox(image: { width: number; height: number }): FaceBox {
  return { x: 0, y: 0, width: image.width, height: image.height };
}

/** A [N, size, size, 3] float32 tensor from several faces (each with an optional flip). */
export function preprocessBatch(
  items: { image: PixelImage; box: FaceBox; flip?: boolean }[],
  spec: PreprocessSpec,
): tf.Tensor4D {
  const s = spec.inputSize;
  const batch = new Float32Array(items.length * s * s * 3);
  items.forEach((item, n) => batch.set(preprocessFace(item.image, item.box, spec, item.flip), n * s * s * 3));
  return tf.tensor4d(batch, [items.length, s, s, 3], 'float32');
}

/** A [1, size, size, 3] tensor for one face. */
export function preprocessToTensor(image: PixelImage, box: FaceBox, spec: PreprocessSpec, flip = false): tf.Tensor4D {
  return preprocessBatch([{ image, box, flip }], spec);
}

/** The horizontally mirrored copy of size×size×3 HWC pixels (what preprocessFace(…, flip) returns). */
export function mirrorHwc(pixels: Float32Array, size: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 3;
      const to = (y * size + size - 1 - x) * 3;
      out[to] = pixels[from];
      out[to + 1] = pixels[from + 1];
      out[to + 2] = pixels[from + 2];
    }
  return out;
}
