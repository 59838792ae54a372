/**
 * Main-thread client of the pre-labeling worker. This is the contract the UI codes against:
 * createPrelabeler() → prelabel(blob) per image → faces with boxes in original pixels, ready for
 * POST /api/images/:id/predictions (send `info.model` as `model`).
 */
import { type BackendChoice, isBackendChoice } from './backend';
import type { ScanMode } from './face-scan';
import { activeModelUrl } from './model';
import type { PipelineOptions } from './pipeline';
import type { MirrorMode } from './predict';
import { WorkerPool, poolSize } from './prelabel-pool';
import type { WorkerInfo, WorkerMessage, WorkerRequest } from './prelabel-protocol';
import type { FaceBox, PreprocessSpec } from './preprocess';

export type PrelabelFace = { box: { x: number; y: number; w: number; h: number }; detScore: number; pMale: number; ageProbs: number[]; age: number };
export type PrelabelTimings = { decodeMs: number; detectMs: number; headsMs: number; passes: number[] };
/** `scoreThreshold`: the one applied; `candidates`: boxes from `candidateFloor` up to it (only when a floor was asked for). */
export type PrelabelResult = {
  width: number;
  height: number;
  faces: PrelabelFace[];
  ms: number;
  timings: PrelabelTimings;
  scoreThreshold: number;
  candidates?: { box: PrelabelFace['box']; detScore: number }[];
  candidateFloor?: number;
};
/**
 * `backend`/`backendReason` are updated in place if the worker has to switch (WebGPU device lost).
 * `workers`: how many images are analysed at once (prelabel-pool.ts).
 */
export type PrelabelerInfo = { backend: string; backendReason: string; model: string; detector: string; workers: number };
/** `options` (e.g. a dataset's detector threshold) add to the Browser ML settings. */
export type Prelabeler = { info: PrelabelerInfo; prelabel(image: Blob, options?: PipelineOptions): Promise<PrelabelResult>; dispose(): void };
/** `workers`: at most this many (default: one per core on CPU backends, see poolSize). */
export type CreatePrelabelerOptions = { backend?: BackendChoice; modelUrl?: string; onStatus?: (msg: string) => void; workers?: number };

export const DETECTOR_URL = '/models/vendor/face-api';
export const BACKEND_STORAGE_KEY = 'facet.ml.backend';
/** Browser ML settings kept in localStorage (per browser, like the backend). */
export const SCAN_STORAGE_KEY = 'facet.ml.scan';
export const MIRROR_STORAGE_KEY = 'facet.ml.mirror';
export const SCAN_CHOICES = ['auto', 'both'] as const satisfies readonly ScanMode[];
export const MIRROR_CHOICES = ['uncertain', 'all'] as const satisfies readonly MirrorMode[];

function stored<T extends string>(key: string, choices: readonly T[], fallback: T): T {
  try {
    const v = typeof window === 'undefined' ? null : window.localStorage.getItem(key);
    return choices.includes(v as T) ? (v as T) : fallback;
  } catch {
    return fallback; // storage disabled
  }
}

/** How hard to look for faces and which faces get the mirrored pass, as chosen on the Browser ML page. */
export function requestedPipelineOptions(): Pick<PipelineOptions, 'scan' | 'mirror'> {
  return { scan: stored(SCAN_STORAGE_KEY, SCAN_CHOICES, 'auto'), mirror: stored(MIRROR_STORAGE_KEY, MIRROR_CHOICES, 'uncertain') };
}

/** The backend the user asked for: `?backend=` in the page URL, else the settings choice, else auto. */
export function requestedBackend(): BackendChoice {
  if (typeof window === 'undefined') return 'auto';
  const fromUrl = new URLSearchParams(window.location.search).get('backend');
  if (isBackendChoice(fromUrl)) return fromUrl;
  let stored: string | null = null;
  try {
    stored = window.localStorage.getItem(BACKEND_STORAGE_KEY);
  } catch {
    /* storage disabled */
  }
  return isBackendChoice(stored) ? stored : 'auto';
}

/** The active model version folder: the models API, else public/models/registry.json. */
export async function resolveModelUrl(name = 'agegender'): Promise<string> {
  try {
    const res = await fetch(`/api/models/active?name=${encodeURIComponent(name)}`, { headers: { accept: 'application/json' } });
    if (res.ok) {
      const body = (await res.json()) as { url?: unknown };
      if (typeof body.url === 'string' && body.url) return body.url;
    }
  } catch {
    /* fall back to the static registry */
  }
  return activeModelUrl(name);
}

/** Low-level handle (also used by the settings page's self-test and the browser tests). */
export class PrelabelWorker {
  private worker: Worker;
  private next = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  info: WorkerInfo | null = null;

  /** `workerUrl`: only for bundles other than Next's (the bench page). */
  constructor(
    private onStatus?: (msg: string) => void,
    workerUrl?: URL,
  ) {
    this.worker = workerUrl
      ? new Worker(workerUrl, { type: 'module', name: 'facet-prelabel' })
      : new Worker(new URL('./prelabel.worker.ts', import.meta.url), { type: 'module', name: 'facet-prelabel' });
    this.worker.onmessage = (ev: MessageEvent<WorkerMessage>) => {
      const m = ev.data;
      if ('type' in m) {
        if (m.type === 'status') this.onStatus?.(m.msg);
        else this.info = m.info;
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    };
    this.worker.onerror = (ev) => this.failAll(new Error(`pre-label worker crashed: ${ev.message || 'unknown error'}`));
  }

  private failAll(e: Error) {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  call<T>(req: WorkerRequest): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...req, id });
    });
  }

  crop(image: Blob, box: FaceBox, spec: PreprocessSpec): Promise<Float32Array> {
    return this.call({ type: 'crop', image, box, spec });
  }

  terminate() {
    this.failAll(new Error('pre-labeler disposed'));
    this.worker.terminate();
  }
}

export async function createPrelabeler(opts: CreatePrelabelerOptions = {}): Promise<Prelabeler> {
  const backend = opts.backend ?? requestedBackend();
  const modelUrl = new URL(opts.modelUrl ?? (await resolveModelUrl()), window.location.origin).href;
  const detectorUrl = new URL(DETECTOR_URL, window.location.origin).href;
  const start = async (choice: BackendChoice, onStatus?: (msg: string) => void) => {
    const worker = new PrelabelWorker(onStatus);
    try {
      return { worker, info: await worker.call<WorkerInfo>({ type: 'init', backend: choice, modelUrl, detectorUrl }) };
    } catch (e) {
      worker.terminate();
      throw e instanceof Error ? e : new Error(String(e));
    }
  };
  // The first worker chooses the backend; the others start on the same one without probing again.
  const first = await start(backend, opts.onStatus);
  const wanted = poolSize(first.info.backend, navigator.hardwareConcurrency, opts.workers);
  const more = await Promise.allSettled(Array.from({ length: wanted - 1 }, () => start(first.info.backend as BackendChoice)));
  const workers = [first.worker, ...more.flatMap((r) => (r.status === 'fulfilled' ? [r.value.worker] : []))];
  const pool = new WorkerPool(workers);
  const winfo = first.info;
  const info: PrelabelerInfo = { backend: winfo.backend, backendReason: winfo.backendReason, model: winfo.model, detector: winfo.detector, workers: pool.size };
  const sync = (worker: PrelabelWorker) => {
    if (worker.info) Object.assign(info, { backend: worker.info.backend, backendReason: worker.info.backendReason });
  };
  return {
    info,
    prelabel: (image: Blob, options?: PipelineOptions) =>
      pool.run(async (worker) => {
        try {
          return await worker.call<PrelabelResult>({ type: 'prelabel', image, options: { ...requestedPipelineOptions(), ...options } });
        } finally {
          sync(worker);
        }
      }),
    dispose: () => pool.terminate(),
  };
}
