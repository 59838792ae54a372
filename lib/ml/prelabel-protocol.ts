/** Messages between prelabel-client.ts (main thread) and prelabel.worker.ts. */
import type { BackendChoice, BackendSelection } from './backend';
import type { PipelineOptions } from './pipeline';
import type { FaceBox, PreprocessSpec } from './preprocess';

export type WorkerRequest =
  | { type: 'init'; backend: BackendChoice; modelUrl: string; detectorUrl: string }
  | { type: 'prelabel'; image: Blob; options?: PipelineOptions }
  /** Test hook: the normalised crop preprocess.ts makes from the worker-decoded image. */
  | { type: 'crop'; image: Blob; box: FaceBox; spec: PreprocessSpec }
  /** Test hook: destroy the WebGPU device, as a driver reset would. */
  | { type: 'lose-device' };

export type WorkerInfo = {
  backend: string;
  backendReason: string;
  model: string;
  detector: string;
  selection: BackendSelection | null;
};

export type WorkerMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string }
  | { type: 'status'; msg: string }
  | { type: 'info'; info: WorkerInfo };
