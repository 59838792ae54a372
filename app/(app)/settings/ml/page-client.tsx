'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { BackendIndicator } from '@/components/ml/backend-indicator';
import { SelfTest } from '@/components/ml/self-test';
import { BACKENDS, type BackendChoice, isBackendChoice } from '@/lib/ml/backend';
import { PipelineSettings } from '@/components/ml/pipeline-settings';
import { BACKEND_STORAGE_KEY, DETECTOR_URL, PrelabelWorker, createPrelabeler, requestedBackend, resolveModelUrl } from '@/lib/ml/prelabel-client';
import type { WorkerInfo } from '@/lib/ml/prelabel-protocol';

declare global {
  interface Window {
    /** Hooks for the browser tests and for debugging from the console. */
    __facetMl?: { createPrelabeler: typeof createPrelabeler; PrelabelWorker: typeof PrelabelWorker; resolveModelUrl: typeof resolveModelUrl };
  }
}

export function BrowserMlPageClient() {
  const [choice, setChoice] = useState<BackendChoice>('auto');
  const [urlOverride, setUrlOverride] = useState<string | null>(null);
  const [info, setInfo] = useState<WorkerInfo | null>(null);
  const [status, setStatus] = useState('starting…');
  const [error, setError] = useState<string | null>(null);
  const worker = useRef<PrelabelWorker | null>(null);

  const start = useCallback(async () => {
    worker.current?.terminate();
    setInfo(null);
    setError(null);
    const w = new PrelabelWorker(setStatus);
    worker.current = w;
    try {
      const modelUrl = new URL(await resolveModelUrl(), window.location.origin).href;
      const detectorUrl = new URL(DETECTOR_URL, window.location.origin).href;
      const i = await w.call<WorkerInfo>({ type: 'init', backend: requestedBackend(), modelUrl, detectorUrl });
      if (worker.current === w) setInfo(i);
    } catch (e) {
      if (worker.current === w) setError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    window.__facetMl = { createPrelabeler, PrelabelWorker, resolveModelUrl };
    const fromUrl = new URLSearchParams(window.location.search).get('backend');
    setUrlOverride(isBackendChoice(fromUrl) ? fromUrl : null);
    const stored = window.localStorage.getItem(BACKEND_STORAGE_KEY);
    setChoice(isBackendChoice(stored) ? stored : 'auto');
    void start();
    return () => worker.current?.terminate();
  }, [start]);

  const choose = (value: BackendChoice) => {
    setChoice(value);
    if (value === 'auto') window.localStorage.removeItem(BACKEND_STORAGE_KEY);
    else window.localStorage.setItem(BACKEND_STORAGE_KEY, value);
    void start();
  };

  const sel = info?.selection;
  return (
    <div className="ml-settings">
      <h1>
        Browser ML <BackendIndicator info={info} status={status} error={error} />
      </h1>
      <p className="muted">
        Faces are found and pre-labeled in this browser, in a background worker. The backend is chosen per browser; WebGPU is used only on a
        real GPU adapter, otherwise the faster of WASM and WebGL in a short probe.
      </p>
      <section className="card">
        <label>
          Backend{' '}
          <select value={choice} onChange={(e) => choose(e.target.value as BackendChoice)} data-testid="backend-choice">
            {(['auto', ...BACKENDS] as const).map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>{' '}
        <button type="button" onClick={() => void start()}>
          Restart
        </button>
        {urlOverride && <p className="small">The page URL forces ?backend={urlOverride}; it wins over this setting.</p>}
        <p data-testid="ml-status">{error ? <span className="error" data-testid="ml-error">{error}</span> : status}</p>
        {info && (
          <dl className="ml-facts" data-testid="ml-info">
            <dt>active backend</dt>
            <dd data-testid="ml-backend">{info.backend}</dd>
            <dt>why</dt>
            <dd data-testid="ml-reason">{info.backendReason}</dd>
            <dt>model</dt>
            <dd data-testid="ml-model">{info.model}</dd>
            <dt>detector</dt>
            <dd>{info.detector}</dd>
            <dt>WebGPU adapter</dt>
            <dd data-testid="ml-adapter">
              {sel?.adapter.available
                ? `${[sel.adapter.vendor, sel.adapter.architecture, sel.adapter.description].filter(Boolean).join(' · ') || 'unnamed'} — isFallbackAdapter: ${String(sel.adapter.isFallbackAdapter)}`
                : `none (${sel?.adapter.error ?? 'unknown'})`}
            </dd>
            <dt>probe</dt>
            <dd data-testid="ml-probes">
              {sel?.probes.length ? sel.probes.map((p) => `${p.backend}: ${p.ms === null ? `failed (${p.error})` : `${p.ms.toFixed(1)} ms`}`).join(' · ') : 'not run (backend forced or real GPU)'}
            </dd>
          </dl>
        )}
      </section>
      <PipelineSettings />
      {info && worker.current && <SelfTest worker={worker.current} />}
    </div>
  );
}
