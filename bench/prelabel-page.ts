/**
 * Browser side of bench:prelabel (bundled by esbuild, not Next): Facet's pre-label worker and
 * face-api's own SSD + age/gender pipeline (the same @vladmandic/face-api package, on this page's tfjs).
 */
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../lib/ml/backend';
import { decodeBlob } from '../lib/ml/decode.browser';
import { PrelabelWorker, type PrelabelResult } from '../lib/ml/prelabel-client';
import { WorkerPool } from '../lib/ml/prelabel-pool';
import type { PipelineOptions } from '../lib/ml/pipeline';
import type { WorkerInfo } from '../lib/ml/prelabel-protocol';
import type { Found } from './prelabel-data';

const blob = (b64: string) => new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/jpeg' });

/** `workers` > 1: that many pre-label workers (lib/ml/prelabel-pool.ts, as the app runs them on CPU backends), photos handed to whichever is idle. */
async function facet(backend: BackendName, list: string[], options: PipelineOptions & { modelPath?: string; workers?: number }) {
  const photos = list.map(blob); // what an upload hands over: Blobs, made before the clock starts
  const { modelPath = 'models/agegender/r0', workers = 1, ...pipeline } = options;
  const pool = new WorkerPool(Array.from({ length: workers }, () => new PrelabelWorker(undefined, new URL('/bench/prelabel.worker.js', location.href))));
  try {
    const infos = await Promise.all(
      pool.members.map(async (w) => {
        const info = await w.call<WorkerInfo>({ type: 'init', backend, modelUrl: `${location.origin}/${modelPath}`, detectorUrl: `${location.origin}/models/vendor/face-api` });
        await w.call({ type: 'prelabel', image: photos[0], options: pipeline }); // warm-up
        return info;
      }),
    );
    const stages = { decodeMs: 0, detectMs: 0, headsMs: 0, twoPass: 0 };
    const t0 = performance.now();
    const results = await Promise.all(photos.map((p) => pool.run((w) => w.call<PrelabelResult>({ type: 'prelabel', image: p, options: pipeline }))));
    const ms = performance.now() - t0;
    for (const r of results) {
      stages.decodeMs += r.timings.decodeMs;
      stages.detectMs += r.timings.detectMs;
      stages.headsMs += r.timings.headsMs;
      stages.twoPass += r.timings.passes.length > 1 ? 1 : 0;
    }
    return { ms, found: results.map((r) => r.faces as Found[]), backend: infos[0].backend, stages };
  } finally {
    pool.terminate();
  }
}

let faceapiLoaded = false;
async function faceApi(backend: BackendName, list: string[]) {
  const photos = list.map(blob);
  setWasmPaths(`${location.origin}/tfjs-wasm/`);
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`face-api: backend ${backend} failed`);
  await tf.ready();
  if (!faceapiLoaded) {
    await faceapi.nets.ssdMobilenetv1.loadFromUri('/models/vendor/face-api');
    await faceapi.nets.ageGenderNet.loadFromUri('/models/vendor/face-api');
    faceapiLoaded = true;
  }
  const run = async (photo: Blob): Promise<Found[]> => {
    const { work } = await decodeBlob(photo);
    const input = tf.browser.fromPixels(new ImageData(new Uint8ClampedArray(work.data as Uint8ClampedArray), work.width, work.height)) as tf.Tensor3D;
    const dets = await faceapi.detectAllFaces(input as unknown as faceapi.TNetInput, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withAgeAndGender();
    input.dispose();
    return dets.map((d) => ({ box: { x: d.detection.box.x, y: d.detection.box.y, w: d.detection.box.width, h: d.detection.box.height }, pMale: d.gender === 'male' ? d.genderProbability : 1 - d.genderProbability, age: d.age }));
  };
  await run(photos[0]); // warm-up
  const found: Found[][] = [];
  const t0 = performance.now();
  for (const p of photos) found.push(await run(p));
  return { ms: performance.now() - t0, found, backend: tf.getBackend() };
}

Object.assign(window, { benchFacet: facet, benchFaceApi: faceApi });

/**
 * --profile: the stages of one photo timed on this page's thread (median of `reps`): decode steps,
 * the detector's coarse pass, each backbone at batch 1/2/4, the JS crops. Same tfjs and code as the worker.
 */
async function profile(backend: BackendName, list: string[], reps = 7) {
  setWasmPaths(`${location.origin}/tfjs-wasm/`);
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed`);
  await tf.ready();
  const out: [string, number][] = [];
  const med = async (label: string, fn: () => unknown) => {
    await fn();
    const ms: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    out.push([label, ms.sort((a, b) => a - b)[Math.floor(reps / 2)]]);
  };
  const { loadAgeGenderModel } = await import('../lib/ml/model');
  const { loadDetectorFromUrl } = await import('../lib/ml/detector');
  const { bitmapPixels } = await import('../lib/ml/decode.browser');
  const { preprocessFace } = await import('../lib/ml/preprocess');
  const model = await loadAgeGenderModel(`${location.origin}/models/agegender/r0`);
  const detector = await loadDetectorFromUrl(`${location.origin}/models/vendor/face-api`);
  for (const [name, b64] of [['single', list[0]], ['group', list[list.length - 1]]] as const) {
    const photo = blob(b64);
    await med(`${name}: decodeBlob (work + 320 copy)`, async () => decodeBlob(photo, () => 320));
    const { decodeForScan } = await import('../lib/ml/decode.browser');
    await med(`${name}: decodeForScan (bitmap + 320 copy)`, async () => (await decodeForScan(photo, () => 320)).close());
    await med(`${name}: decodeForScan + one 240² region`, async () => {
      const d = await decodeForScan(photo, () => 320);
      d.work.read({ x: 100, y: 100, width: 240, height: 240 });
      d.close();
    });
    await med(`${name}: createImageBitmap(blob)`, async () => (await createImageBitmap(photo, { imageOrientation: 'from-image' })).close());
    const full = await createImageBitmap(photo, { imageOrientation: 'from-image' });
    await med(`${name}: bitmapPixels(full)`, () => bitmapPixels(full));
    const region = (w: number, h: number, read = true, wrf = true) => {
      const c = new OffscreenCanvas(w, h);
      const ctx = c.getContext('2d', { willReadFrequently: wrf })!;
      ctx.drawImage(full, 100, 100, w, h, 0, 0, w, h);
      if (read) ctx.getImageData(0, 0, w, h);
    };
    await med(`${name}: region 240² draw+read`, () => region(240, 240));
    await med(`${name}: full draw only`, () => region(full.width, full.height, false));
    await med(`${name}: full draw+read, no willReadFrequently`, () => region(full.width, full.height, true, false));
    await med(`${name}: createImageBitmap(blob, half size)`, async () => (await createImageBitmap(photo, { resizeWidth: full.width >> 1, resizeHeight: full.height >> 1, resizeQuality: 'low' })).close());
    await med(`${name}: createImageBitmap + bitmapPixels`, async () => {
      const b = await createImageBitmap(photo, { imageOrientation: 'from-image' });
      bitmapPixels(b);
      b.close();
    });
    await med(`${name}: createImageBitmap(blob) + region 240²`, async () => {
      const b = await createImageBitmap(photo, { imageOrientation: 'from-image' });
      const c = new OffscreenCanvas(240, 240).getContext('2d', { willReadFrequently: true })!;
      c.drawImage(b, 100, 100, 240, 240, 0, 0, 240, 240);
      c.getImageData(0, 0, 240, 240);
      b.close();
    });
    if ('ImageDecoder' in self) {
      await med(`${name}: ImageDecoder + VideoFrame.copyTo RGBA`, async () => {
        const dec = new (self as any).ImageDecoder({ data: photo.stream(), type: 'image/jpeg' });
        const { image: frame } = await dec.decode();
        const buf = new Uint8Array(frame.codedWidth * frame.codedHeight * 4);
        await frame.copyTo(buf, { format: 'RGBA' });
        frame.close();
        dec.close();
      });
    }
    await med(`${name}: createImageBitmap(bitmap, 320)`, async () => (await createImageBitmap(full, { resizeWidth: 320, resizeHeight: Math.round((320 * full.height) / full.width), resizeQuality: 'medium' })).close());
    const d = await decodeBlob(photo, () => 320);
    await med(`${name}: detector coarse 320`, () => detector.detect(d.detector!, { inputSize: 320 }));
    await med(`${name}: detector fine 608`, () => detector.detect(d.work, { inputSize: 608 }));
  }
  const image = (await decodeBlob(blob(list[0]))).work;
  const box = { x: 200, y: 100, width: 200, height: 200 };
  for (const ref of model.manifest.backbones) {
    const bb = model.backbones.get(ref.id)!;
    const s = ref.input.size;
    await med(`crop ${ref.id} ${s}px (JS)`, () => preprocessFace(image, box, { ...ref.input, inputSize: s, cropMargin: 0 }));
    for (const n of [1, 2, 4]) {
      const x = tf.randomNormal([n, s, s, 3]) as tf.Tensor4D;
      await med(`${ref.id} batch ${n}`, async () => {
        const o = bb.run(x);
        await Promise.all(Object.values(o).map((t) => t.data()));
        Object.values(o).forEach((t) => t.dispose());
      });
      x.dispose();
    }
  }
  return out;
}

Object.assign(window, { benchProfile: profile });
