/// <reference lib="webworker" />
/**
 * Pre-labeling worker: owns tfjs, the detector and the age/gender model, so the UI never blocks.
 * One request at a time (a promise chain). If WebGPU loses its device mid-batch, the worker picks
 * the next backend, reloads the weights there and retries the image.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type BackendChoice, type BackendName, type BackendSelection, selectBackend, webgpuDeviceLost } from './backend';
import { ImageDecodeError, decodeBlob, decodeForScan } from './decode.browser';
import { DEFAULT_DETECT, type FaceDetector, effectiveInputSize, loadDetectorFromUrl } from './detector';
import { DEFAULT_SCAN } from './face-scan';
import { loadAgeGenderModel } from './model';
import { type PipelineCandidate, type PipelineTimings, runPipeline } from './pipeline';
import { type AgeGenderModel, predictFacesAsync } from './predict';
import type { WorkerInfo, WorkerMessage, WorkerRequest } from './prelabel-protocol';
import { preprocessFace } from './preprocess';

setWasmPaths(`${self.location.origin}/tfjs-wasm/`);

const post = (m: WorkerMessage, transfer: Transferable[] = []) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m, transfer);
const status = (msg: string) => post({ type: 'status', msg });

let config: { backend: BackendChoice; modelUrl: string; detectorUrl: string } | null = null;
let model: AgeGenderModel | null = null;
let detector: FaceDetector | null = null;
let selection: BackendSelection | null = null;
let deviceLost: string | null = null;
const failed: BackendName[] = [];

function info(): WorkerInfo {
  const m = model?.manifest;
  return {
    backend: tf.getBackend() ?? 'none',
    backendReason: selection?.reason ?? '',
    model: m ? `${m.name}/${m.version}` : '',
    detector: detector?.id ?? '',
    selection,
  };
}

function disposeModels() {
  try {
    model?.backbones.forEach((b) => b.dispose());
    model?.heads.dispose();
    detector?.dispose();
  } catch {
    /* tensors on a lost device may refuse to dispose */
  }
  model = null;
  detector = null;
}

async function load() {
  if (!config) throw new Error('worker not initialised');
  disposeModels();
  status('choosing a backend…');
  selection = await selectBackend(config.backend, failed);
  deviceLost = null;
  webgpuDeviceLost()?.then((why) => (deviceLost = why));
  status(`loading models on ${selection.backend}…`);
  try {
    model = await loadAgeGenderModel(config.modelUrl);
  } catch (e) {
    throw new Error(`could not load the age/gender model from ${config.modelUrl}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    detector = await loadDetectorFromUrl(config.detectorUrl);
  } catch (e) {
    throw new Error(`could not load the face detector from ${config.detectorUrl}: ${e instanceof Error ? e.message : String(e)}`);
  }
  status('warming up…');
  await selfCheck();
  post({ type: 'info', info: info() });
  status(`ready on ${selection.backend}`);
}

/** One face through everything: compiles shaders/kernels and catches corrupt weights (NaN outputs). */
async function selfCheck() {
  if (!model || !detector) return;
  const size = 64;
  const data = new Uint8ClampedArray(size * size * 4).fill(128);
  const image = { data, width: size, height: size, channels: 4 as const };
  await detector.detect(image);
  const [p] = await predictFacesAsync(model, [{ image, box: { x: 8, y: 8, width: 48, height: 48 } }]);
  if (!Number.isFinite(p.age) || !Number.isFinite(p.pFemale) || p.ageBins.some((v) => !Number.isFinite(v))) {
    throw new Error(`the age/gender model at ${config?.modelUrl} gives non-finite outputs (corrupt weights?)`);
  }
}

async function prelabel(image: Blob, options: WorkerRequest & { type: 'prelabel' }) {
  if (!model || !detector) throw new Error('worker not initialised');
  const t0 = performance.now();
  const o = options.options ?? {};
  // The first detector pass's input, resized natively while decoding.
  const firstPass = o.scan === 'fine' ? (o.inputSize ?? DEFAULT_DETECT.inputSize) : (o.coarseInputSize ?? DEFAULT_SCAN.coarseInputSize);
  const decoded = await decodeForScan(image, (w, h) => effectiveInputSize(w, h, firstPass));
  const decodeMs = performance.now() - t0;
  const timings: PipelineTimings = { detectMs: 0, headsMs: 0, passes: [] };
  const below: PipelineCandidate[] = [];
  // Reading the faces' pixels from the bitmap counts in the stages that ask for them (detect, age/gender).
  const faces = await runPipeline(detector, model, decoded.work, decoded.original, o, decoded.detector, timings, below).finally(decoded.close);
  if (deviceLost) throw new Error(`WebGPU device lost: ${deviceLost}`);
  const box = (b: { x: number; y: number; width: number; height: number }) => ({ x: b.x, y: b.y, w: b.width, h: b.height });
  const out = faces.map((f) => ({ box: box(f.box), detScore: f.detScore, pMale: f.pMale, ageProbs: f.ageProbs, age: f.age }));
  const scoreThreshold = o.scoreThreshold ?? DEFAULT_DETECT.scoreThreshold;
  const calibration = o.candidateFloor === undefined ? {} : { candidates: below.map((c) => ({ box: box(c.box), detScore: c.detScore })), candidateFloor: Math.min(o.candidateFloor, scoreThreshold) };
  return { width: decoded.original.width, height: decoded.original.height, faces: out, ms: performance.now() - t0, timings: { decodeMs, ...timings }, scoreThreshold, ...calibration };
}

async function handle(req: WorkerRequest): Promise<{ value: unknown; transfer?: Transferable[] }> {
  switch (req.type) {
    case 'init':
      config = { backend: req.backend, modelUrl: req.modelUrl, detectorUrl: req.detectorUrl };
      await load();
      return { value: info() };
    case 'prelabel':
      try {
        return { value: await prelabel(req.image, req) };
      } catch (e) {
        if (e instanceof ImageDecodeError || selection?.backend !== 'webgpu') throw e;
        // WebGPU failed mid-batch (device lost or a kernel error): continue on the next backend.
        const why = deviceLost ?? (e instanceof Error ? e.message : String(e));
        failed.push('webgpu');
        status(`WebGPU failed (${why}); switching backend…`);
        await load();
        if (selection) selection.reason = `WebGPU failed (${why}); ${selection.reason}`;
        post({ type: 'info', info: info() });
        return { value: await prelabel(req.image, req) };
      }
    case 'crop': {
      const { work } = await decodeBlob(req.image);
      const data = preprocessFace(work, req.box, req.spec);
      return { value: data, transfer: [data.buffer] };
    }
    case 'lose-device': {
      const device = (tf.backend() as unknown as { device?: { destroy(): void } }).device;
      if (tf.getBackend() !== 'webgpu' || !device) throw new Error('not running on webgpu');
      device.destroy();
      return { value: true };
    }
  }
}

let queue: Promise<unknown> = Promise.resolve();
self.onmessage = (ev: MessageEvent<WorkerRequest & { id: number }>) => {
  const { id } = ev.data;
  queue = queue.then(async () => {
    try {
      const { value, transfer } = await handle(ev.data);
      post({ id, ok: true, value }, transfer);
    } catch (e) {
      post({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  });
};
