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
