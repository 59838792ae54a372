/**
 * Choosing the tfjs backend deliberately (browser, main thread or worker). tfjs's own default takes
 * WebGPU whenever any adapter exists — here that is SwiftShader's software adapter, ~60× slower
 * than wasm — and a failed setBackend silently falls back. So: WebGPU only on a real adapter,
 * otherwise the faster of wasm/webgl by a short measured probe; an explicit choice (?backend= or the
 * settings page) wins; every setBackend is checked with tf.getBackend().
 */
import * as tf from '@tensorflow/tfjs';

export const BACKENDS = ['webgpu', 'wasm', 'webgl', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = 'auto' | BackendName;

export function isBackendChoice(v: unknown): v is BackendChoice {
  return v === 'auto' || BACKENDS.includes(v as BackendName);
}

export type AdapterInfo = {
  available: boolean;
  /** null when the browser does not say (then it is not trusted as a real GPU). */
  isFallbackAdapter: boolean | null;
  vendor?: string;
  architecture?: string;
  description?: string;
  error?: string;
};

export type ProbeResult = { backend: BackendName; ms: number | null; error?: string };

export type BackendDecision = { backend: BackendName; reason: string };

/** Pure: what auto picks, given the adapter and probe timings (median ms of a small conv net). */
export function chooseAutoBackend(adapter: AdapterInfo, probes: ProbeResult[]): BackendDecision {
  if (adapter.available && adapter.isFallbackAdapter === false) {
    const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || 'GPU';
    return { backend: 'webgpu', reason: `auto: WebGPU on a hardware adapter (${name})` };
  }
  const why = !adapter.available
    ? 'no WebGPU adapter'
    : adapter.isFallbackAdapter
      ? 'WebGPU adapter is a software fallback'
      : 'WebGPU adapter does not say whether it is a fallback';
  const ok = probes.filter((p) => p.ms !== null).sort((a, b) => (a.ms as number) - (b.ms as number));
  const shown = probes.map((p) => `${p.backend} ${p.ms === null ? 'failed' : `${p.ms.toFixed(1)} ms`}`).join(', ');
  if (ok.length === 0) return { backend: 'cpu', reason: `auto: ${why}; probes failed (${shown}); using cpu` };
  return { backend: ok[0].backend, reason: `auto: ${why}; fastest in probe (${shown})` };
}

type GpuLike = { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> };

export async function getAdapterInfo(): Promise<AdapterInfo> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { available: false, isFallbackAdapter: null, error: 'navigator.gpu is missing' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { available: false, isFallbackAdapter: null, error: 'requestAdapter() returned null' };
    const info = adapter.info ?? {};
    const fallback = info.isFallbackAdapter;
    return {
      available: true,
      isFallbackAdapter: typeof fallback === 'boolean' ? fallback : null,
      vendor: String(info.vendor ?? ''),
      architecture: String(info.architecture ?? ''),
      description: String(info.description ?? ''),
    };
  } catch (e) {
    return { available: false, isFallbackAdapter: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** setBackend, verified: throws with the reason unless tfjs really runs on `name` afterwards. */
export async function activateBackend(name: BackendName): Promise<void> {
  let ok = false;
  let error = '';
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`tfjs backend ${name} failed to start${error ? `: ${error}` : ''} (active: ${tf.getBackend() ?? 'none'})`);
  }
}

/** A small conv workload shaped like the face nets (separable convs at 112²): median ms of 3 after warm-up. */
export async function probeBackend(name: BackendName): Promise<ProbeResult> {
  try {
    await activateBackend(name);
    const x = tf.randomUniform([1, 112, 112, 32], 0, 1, 'float32', 1) as tf.Tensor4D;
    const dw = tf.randomUniform([3, 3, 32, 1], -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
    const pw = tf.randomUniform([1, 1, 32, 64], -0.1, 0.1, 'float32', 3) as tf.Tensor4D;
    const run = async () => {
      const y = tf.tidy(() => tf.mean(tf.relu(tf.separableConv2d(tf.maxPool(x, 2, 2, 'same'), dw, pw, 1, 'same'))));
      await y.data();
      y.dispose();
    };
    await run();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await run();
      times.push(performance.now() - t0);
    }
    tf.dispose([x, dw, pw]);
    return { backend: name, ms: times.sort((a, b) => a - b)[1] };
  } catch (e) {
    return { backend: name, ms: null, error: e instanceof Error ? e.message : String(e) };
  }
}

export type BackendSelection = BackendDecision & { adapter: AdapterInfo; probes: ProbeResult[]; requested: BackendChoice };

/**
 * Select and activate a backend. `exclude` drops backends that already failed (e.g. webgpu after a
 * lost device). A forced backend that fails to start falls back to auto, and the reason says so.
 */
export async function selectBackend(requested: BackendChoice, exclude: BackendName[] = []): Promise<BackendSelection> {
  const adapter = await getAdapterInfo();
  let prefix = '';
  if (requested !== 'auto' && !exclude.includes(requested)) {
    try {
      await activateBackend(requested);
      return { backend: requested, reason: `forced: ${requested} (requested)`, adapter, probes: [], requested };
    } catch (e) {
      prefix = `${requested} requested but ${e instanceof Error ? e.message : String(e)}; `;
    }
  }
  const usable: AdapterInfo = exclude.includes('webgpu') ? { ...adapter, available: false } : adapter;
  const probes: ProbeResult[] = [];
  if (!(usable.available && usable.isFallbackAdapter === false)) {
    for (const name of ['wasm', 'webgl'] as const) if (!exclude.includes(name)) probes.push(await probeBackend(name));
  }
  const decision = chooseAutoBackend(usable, probes);
  if (exclude.length) decision.reason += ` (excluded: ${exclude.join(', ')})`;
  await activateBackend(decision.backend);
  return { ...decision, reason: prefix + decision.reason, adapter, probes, requested };
}

/** Resolves when the active WebGPU device is lost (never for other backends). */
export function webgpuDeviceLost(): Promise<string> | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string; reason?: string }> } }).device;
  return device?.lost ? device.lost.then((info) => `${info.reason ?? 'unknown'}: ${info.message ?? ''}`) : null;
}
