'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { BackendIndicator } from '@/components/ml/backend-indicator';
import { useActiveModel } from '@/components/models/use-active-model';
import { ProgressBar } from '@/components/progress-bar';
import { createPrelabeler } from '@/lib/ml/prelabel-client';
import { FaceOverlay } from './face-overlay';
import { fromProbabilities, shortLabel } from './face-label';
import { httpPrelabelApi } from './prelabel-api';
import { type RunSnapshot, PrelabelRun, rates } from './run-queue';
import { type SessionNote, clearNote, readNote, writeNote } from './session-note';
import type { Prelabeler, PrelabelScope } from './types';
import styles from './prelabel.module.css';

type ModelState = { status: 'idle' } | { status: 'loading'; message: string } | { status: 'ready'; prelabeler: Prelabeler } | { status: 'failed'; error: string };

const STAGE: Record<string, string> = { download: 'download', predict: 'model', save: 'save' };

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min ${Math.round(seconds % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

const idle = () => () => {};
const noRun = () => null;

/** Re-renders once a second while `on` (for faces/s and the time left). */
function useTicker(on: boolean) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return on ? now : performance.now();
}

/**
 * "Pre-label N images": runs the in-browser models over the images just uploaded (or all images the
 * current model version has not seen), with progress, pause/cancel, failures with retry, and a
 * "Continue" after a reload — the server's pending list says what is left.
 */
export function PrelabelPanel({ uploadedIds }: { uploadedIds: string[] }) {
  const queryClient = useQueryClient();
  const [model, setModel] = useState<ModelState>({ status: 'idle' });
  const modelRef = useRef<Promise<Prelabeler> | null>(null);
  const [run, setRun] = useState<PrelabelRun | null>(null);
  const snap: RunSnapshot | null = useSyncExternalStore(run?.subscribe ?? idle, run?.getSnapshot ?? noRun, noRun);
  const [note, setNote] = useState<SessionNote | null>(null);
  const [noteLeft, setNoteLeft] = useState<number | null>(null);
  // Uploaded images a finished run already covered: the button offers only newer uploads.
  const [handled, setHandled] = useState<ReadonlySet<string>>(new Set());
  const fresh = useMemo(() => uploadedIds.filter((id) => !handled.has(id)), [uploadedIds, handled]);
  const now = useTicker(snap?.status === 'running');

  useEffect(() => {
    const found = readNote();
    setNote(found);
    if (!found) return;
    const q = found.scope.kind === 'ids' ? { ids: found.scope.ids.slice(0, 200) } : { datasetId: found.scope.datasetId };
    httpPrelabelApi
      .pending({ model: found.model, ...q, limit: 1 })
      .then((page) => setNoteLeft(found.scope.kind === 'ids' && found.scope.ids.length > 200 ? null : page.counts.pending))
      .catch(() => setNoteLeft(null));
  }, []);

  useEffect(() => () => void modelRef.current?.then((p) => p.dispose()).catch(() => {}), []);
  // Leaving the page stops the run but keeps its note, so the next visit offers "Continue".
  const userCancelled = useRef(false);
  useEffect(() => () => run?.cancel(), [run]);

  const loadModel = useCallback(() => {
    // Status lines also come later (e.g. a lost WebGPU device): they update a loading message only.
    modelRef.current ??= createPrelabeler({ onStatus: (message) => setModel((m) => (m.status === 'loading' ? { status: 'loading', message } : m)) });
    setModel((m) => (m.status === 'ready' ? m : { status: 'loading', message: 'Loading the face models…' }));
    return modelRef.current.then(
      (prelabeler) => {
        setModel({ status: 'ready', prelabeler });
        return prelabeler;
      },
      (error: Error) => {
        modelRef.current = null;
        setModel({ status: 'failed', error: error.message });
        throw error;
      },
    );
  }, []);

  // A newly promoted model version (polled): the next run loads it; a run under way finishes first.
  const active = useActiveModel();
  const activeModel = active.data && !active.data.problem ? `${active.data.name}/${active.data.version}` : null;
  useEffect(() => {
    if (!activeModel || model.status !== 'ready' || model.prelabeler.info.model === activeModel || snap?.status === 'running') return;
    const previous = modelRef.current;
    modelRef.current = null;
    setModel({ status: 'idle' });
    void previous?.then((p) => p.dispose()).catch(() => {});
  }, [activeModel, model, snap?.status]);

  const invalidate = useMemo(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    return () => {
      timer ??= setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: ['images'] });
      }, 1000);
    };
  }, [queryClient]);

  const start = useCallback(
    async (scope: PrelabelScope, resumed?: SessionNote) => {
      let prelabeler: Prelabeler;
      try {
        prelabeler = await loadModel();
      } catch {
        return; // shown by the model state
      }
      const next = new PrelabelRun({
        prelabeler,
        api: httpPrelabelApi,
        scope,
        resumed: resumed && resumed.model === prelabeler.info.model ? { total: resumed.total } : undefined,
        onSaved: invalidate,
      });
      if (!resumed) clearNote();
      userCancelled.current = false;
      setRun(next);
      setNote(null);
      const unsubscribe = next.subscribe(() => {
        const s = next.getSnapshot();
        if (s.status === 'running' && !readNote()) {
          writeNote({ v: 1, model: s.model, scope, total: s.total, startedAt: new Date().toISOString() });
        }
      });
      const end = await next.start();
      unsubscribe();
      if (end.status === 'done' || userCancelled.current) clearNote();
      if (end.status === 'done' && scope.kind === 'ids') setHandled((h) => new Set([...h, ...scope.ids]));
      void queryClient.invalidateQueries({ queryKey: ['images'] });
    },
    [invalidate, loadModel, queryClient],
  );

  const running = snap !== null && ['starting', 'running', 'pausing', 'paused'].includes(snap.status);
  const r = snap ? rates(snap, now) : null;
  const latestUrl = useMemo(() => (snap?.latest ? URL.createObjectURL(snap.latest.blob) : null), [snap?.latest]);
  useEffect(() => () => void (latestUrl && URL.revokeObjectURL(latestUrl)), [latestUrl]);

  return (
    <section className={`card ${styles.panel}`} aria-label="Pre-label">
      <div className={styles.head}>
        <h2>Pre-label</h2>
        {model.status !== 'idle' && (
          <BackendIndicator
            info={model.status === 'ready' ? model.prelabeler.info : null}
            status={model.status === 'loading' ? model.message : undefined}
            error={model.status === 'failed' ? model.error : null}
          />
        )}
        {model.status === 'ready' ? (
          <span className={styles.engine} data-testid="prelabel-engine">
            model <strong data-testid="prelabel-model">{model.prelabeler.info.model}</strong> · detector {model.prelabeler.info.detector}
            {(model.prelabeler.info.workers ?? 1) > 1 && <span data-testid="prelabel-workers"> · {model.prelabeler.info.workers} images at a time</span>}
          </span>
        ) : (
          <span className={styles.engine}>Faces are found and labeled in this browser; only the results are sent.</span>
        )}
      </div>

      {note && !run && (
        <div className={styles.resume} role="status" data-testid="prelabel-resume">
          <span>
            A pre-label run was interrupted
            {noteLeft !== null ? `: ${noteLeft} of ${note.total} images left` : ''}.
          </span>
          <button type="button" onClick={() => void start(note.scope, note)}>
            Continue
          </button>
          <button
            type="button"
            className={styles.secondary}
            onClick={() => {
              clearNote();
              setNote(null);
            }}
          >
            Discard
          </button>
        </div>
      )}

      {!running && (
        <div className={styles.actions}>
          {fresh.length > 0 && (
            <button type="button" onClick={() => void start({ kind: 'ids', ids: fresh })} disabled={model.status === 'loading'}>
              Pre-label {fresh.length} uploaded image{fresh.length === 1 ? '' : 's'}
            </button>
          )}
          <button
            type="button"
            className={fresh.length > 0 ? styles.secondary : undefined}
            onClick={() => void start({ kind: 'all' })}
            disabled={model.status === 'loading'}
          >
            Pre-label all images not yet done
          </button>
        </div>
      )}

      {model.status === 'loading' && (
        <p className="muted" role="status">
          {model.message}
        </p>
      )}
      {model.status === 'failed' && (
        <p className="error" role="alert">
          Could not load the face models: {model.error}. Nothing was pre-labeled or saved.
        </p>
      )}

      {snap && r && (
        <div data-testid="prelabel-run" data-status={snap.status}>
          <ProgressBar
            value={snap.total ? (snap.done + snap.failures.length) / snap.total : snap.status === 'done' ? 1 : 0}
            label={`${snap.done} of ${snap.total} images done${snap.failures.length ? ` · ${snap.failures.length} failed` : ''}`}
          />
          <dl className={styles.figures} aria-live="polite">
            <div>
              <dt>Faces found</dt>
              <dd data-testid="prelabel-faces">{snap.faces}</dd>
            </div>
            <div>
              <dt>Faces/s</dt>
              <dd>{r.facesPerSecond.toFixed(1)}</dd>
            </div>
            <div>
              <dt>Time left</dt>
              <dd>{snap.status === 'running' ? duration(r.etaSeconds) : '–'}</dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd data-testid="prelabel-status">
                {snap.status === 'starting'
                  ? 'finding images…'
                  : snap.status === 'done'
                    ? snap.failures.length
                      ? 'finished, with failures'
                      : 'finished'
                    : snap.status === 'pausing'
                      ? 'pausing after this image…'
                      : snap.status}
              </dd>
            </div>
            {snap.thresholds.length > 0 && (
              <div title="Faces are kept from this detector score up: each dataset's threshold (Models → Detector), else the detector's default">
                <dt>Detector threshold</dt>
                <dd data-testid="prelabel-threshold">{snap.thresholds.map((t) => t.toFixed(2)).join(', ')}</dd>
              </div>
            )}
            {snap.skipped > 0 && (
              <div>
                <dt>Already done elsewhere</dt>
                <dd>{snap.skipped}</dd>
              </div>
            )}
          </dl>
          {snap.error && (
            <p className="error" role="alert">
              {snap.error}
            </p>
          )}
          <div className={styles.actions}>
            {snap.status === 'running' && (
              <button type="button" className={styles.secondary} onClick={() => run?.pause()}>
                Pause
              </button>
            )}
            {(snap.status === 'paused' || snap.status === 'pausing') && (
              <button type="button" onClick={() => run?.resume()}>
                Resume
              </button>
            )}
            {running && (
              <button type="button" className={`${styles.secondary} danger`} onClick={() => {
                  userCancelled.current = true;
                  run?.cancel();
                }}
              >
                Cancel
              </button>
            )}
          </div>

          {snap.failures.length > 0 && (
            <>
              <div className={styles.failuresHead}>
                <h3>Not pre-labeled ({snap.failures.length})</h3>
                <button type="button" className="link" onClick={() => void run?.retryAll()}>
                  Retry all
                </button>
              </div>
              <ul className={styles.failures} data-testid="prelabel-failures">
                {snap.failures.map((f) => (
                  <li key={f.image.id} data-image-id={f.image.id}>
                    <span className={styles.name} title={f.image.sourceName}>
                      {f.image.sourceName}
                    </span>
                    <span className="error">
                      {STAGE[f.stage]}: {f.reason}
                    </span>
                    <button type="button" className={styles.secondary} onClick={() => void run?.retry(f.image.id)} aria-label={`Retry ${f.image.sourceName}`}>
                      Retry
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          {snap.retrying.length > 0 && <p className="muted small">Retrying {snap.retrying.length}…</p>}

          {snap.latest && latestUrl && (
            <div className={styles.latest} data-testid="prelabel-latest">
              <div>
                <FaceOverlay
                  src={latestUrl}
                  width={snap.latest.result.width}
                  height={snap.latest.result.height}
                  alt={`Latest: ${snap.latest.image.sourceName}`}
                  boxes={snap.latest.result.faces.map((f, i) => ({ key: String(i), box: f.box, label: shortLabel(fromProbabilities(f)), gender: fromProbabilities(f).gender }))}
                />
              </div>
              <p className="small">
                Latest: <a href={`/images/${snap.latest.image.id}`}>{snap.latest.image.sourceName}</a>
                <br />
                {snap.latest.result.faces.length} face{snap.latest.result.faces.length === 1 ? '' : 's'} in {Math.round(snap.latest.result.ms)} ms
              </p>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
