import { detectorOptions, detectorRecord } from './detector-record';
import { RequestError, type PrelabelApi } from './prelabel-api';
import type { PendingImage, PrelabelFace, Prelabeler, PrelabelResult, PrelabelScope } from './types';

export type FailureStage = 'download' | 'predict' | 'save';
/** An image the run could not finish, with why; a failed save keeps its result so a retry only re-sends it. */
export type Failure = { image: PendingImage; stage: FailureStage; reason: string; result?: PrelabelResult };
/** 'pausing': the image under way and its save finish first, then 'paused'. */
export type RunStatus = 'starting' | 'running' | 'pausing' | 'paused' | 'done' | 'cancelled' | 'error';

export type RunSnapshot = {
  status: RunStatus;
  model: string;
  /** Images in this run (those pending when it started, plus those finished before a reload). */
  total: number;
  /** Images whose predictions are saved (or that someone else finished meanwhile). */
  done: number;
  /** Of `done`, those finished before this page load (a resumed run). */
  doneAtStart: number;
  skipped: number;
  faces: number;
  failures: Failure[];
  retrying: string[];
  /** Time spent running (not paused): accumulated, plus since `runningSince` while running. */
  activeMs: number;
  runningSince: number | null;
  error?: string;
  latest?: { image: PendingImage; result: PrelabelResult; blob: Blob };
  /** The detector thresholds faces were kept at in this run (the datasets' own, else the default). */
  thresholds: number[];
};

export type RunOptions = {
  prelabeler: Prelabeler;
  api: PrelabelApi;
  scope: PrelabelScope;
  /** Images already finished in an earlier (reloaded) part of this run, and the run's size then. */
  resumed?: { total: number };
  saveConcurrency?: number;
  attempts?: number;
  backoffMs?: number;
  pageSize?: number;
  /** Consecutive model failures after which the run stops: the model itself is broken, not the images. */
  maxPredictFailuresInARow?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onSaved?: (imageId: string) => void;
};

const ID_CHUNK = 200;
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Usable boxes only: the server refuses a whole image for one box under 2×2 pixels inside it. */
export function usableFaces(result: PrelabelResult): PrelabelFace[] {
  return result.faces.filter((f) => {
    const x0 = Math.max(0, f.box.x);
    const y0 = Math.max(0, f.box.y);
    const x1 = Math.min(result.width, f.box.x + f.box.w);
    const y1 = Math.min(result.height, f.box.y + f.box.h);
    return x1 - x0 >= 2 && y1 - y0 >= 2;
  });
}

function reasonOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : String(error);
}

/**
 * One pre-label run: works through the server's list of images this model version has not done,
 * one image per model worker at a time (prefetching the next file), saving each result with
 * bounded concurrency and retries with backoff. The server's list is the source of truth, so a
 * run cut short (reload, crash) continues where it stopped and never predicts an image twice.
 */
export class PrelabelRun {
  private snapshot: RunSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly inflight = new Set<Promise<void>>();
  /** Images taken by a lane whose save is not yet in `inflight` (downloading, analysing, waiting for a save slot). */
  private readonly underway = new Set<Promise<unknown>>();
  private resumeGate: { promise: Promise<void>; resolve: () => void } | null = null;
  private cancelled = false;
  private predictFailuresInARow = 0;
  private readonly o: Required<Omit<RunOptions, 'resumed' | 'onSaved'>> & Pick<RunOptions, 'resumed' | 'onSaved'>;

  constructor(options: RunOptions) {
    this.o = {
      saveConcurrency: 3,
      attempts: 4,
      backoffMs: 500,
      pageSize: 50,
      maxPredictFailuresInARow: 5,
      sleep: defaultSleep,
      now: () => performance.now(),
      ...options,
    };
    this.snapshot = {
      status: 'starting',
      model: options.prelabeler.info.model,
      total: 0,
      done: 0,
      doneAtStart: 0,
      skipped: 0,
      faces: 0,
      failures: [],
      retrying: [],
      activeMs: 0,
      runningSince: null,
      latest: undefined,
      thresholds: [],
    };
  }

  /** The image's faces at its dataset's threshold, with the detector record the server keeps. */
  private record(image: PendingImage, result: PrelabelResult) {
    const rec = detectorRecord(result, detectorOptions(image.scoreThreshold).scoreThreshold);
    return { ...rec, faces: usableFaces({ ...result, faces: rec.faces }) };
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  getSnapshot = () => this.snapshot;

  private set(patch: Partial<RunSnapshot> | ((s: RunSnapshot) => Partial<RunSnapshot>)) {
    const change = typeof patch === 'function' ? patch(this.snapshot) : patch;
    this.snapshot = { ...this.snapshot, ...change };
    for (const l of this.listeners) l();
  }

  private stopClock(s: RunSnapshot): Partial<RunSnapshot> {
    return s.runningSince === null ? {} : { activeMs: s.activeMs + (this.o.now() - s.runningSince), runningSince: null };
  }

  /** Runs to the end (or until cancelled or the model breaks). */
  async start(): Promise<RunSnapshot> {
    const model = this.snapshot.model;
    try {
      const first = await this.withRetry(() => this.firstPage(model));
      const pending = first.counts.pending;
      const total = Math.max(this.o.resumed?.total ?? 0, pending);
      this.set({ status: 'running', total, done: total - pending, doneAtStart: total - pending, runningSince: this.o.now() });
      let page = first;
      for (;;) {
        await this.processPage(page.images);
        if (this.cancelled || this.snapshot.status === 'error' || !page.nextCursor) break;
        const cursor = page.nextCursor;
        page = await this.withRetry(() => this.o.api.pending({ model, ...this.scopeQuery(), cursor, limit: this.o.pageSize }));
        // Images uploaded meanwhile join the run.
        this.set((s) => ({ total: Math.max(s.total, s.done + s.failures.length + page.counts.pending) }));
      }
      await Promise.all(this.inflight);
    } catch (error) {
      await Promise.all(this.inflight);
      this.set((s) => ({ status: 'error', error: `Could not get the list of images to pre-label: ${reasonOf(error)}`, ...this.stopClock(s) }));
      return this.snapshot;
    }
    this.set((s) => ({ status: this.cancelled ? 'cancelled' : s.status === 'error' ? 'error' : 'done', ...this.stopClock(s) }));
    return this.snapshot;
  }

  pause() {
    if (this.snapshot.status !== 'running' || this.resumeGate) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.resumeGate = { promise, resolve };
    this.set({ status: 'pausing' });
  }

  resume() {
    if (!this.resumeGate) return;
    this.resumeGate.resolve();
    this.resumeGate = null;
    this.set((s) => ({ status: 'running', runningSince: s.runningSince ?? this.o.now() }));
  }

  cancel() {
    this.cancelled = true;
    this.resumeGate?.resolve();
    this.resumeGate = null;
  }

  /** Tries one failed image again: a failed save is only re-sent, anything else is predicted anew. */
  async retry(imageId: string): Promise<void> {
    const failure = this.snapshot.failures.find((f) => f.image.id === imageId);
    if (!failure) return;
    this.set((s) => ({ failures: s.failures.filter((f) => f !== failure), retrying: [...s.retrying, imageId] }));
    try {
      if (failure.stage === 'save' && failure.result) await this.save(failure.image, failure.result);
      else {
        const blob = await this.download(failure.image);
        const result = blob && (await this.predict(failure.image, blob));
        if (result) await this.save(failure.image, result);
      }
    } finally {
      this.set((s) => ({ retrying: s.retrying.filter((id) => id !== imageId) }));
    }
  }

  async retryAll(): Promise<void> {
    for (const f of this.snapshot.failures) await this.retry(f.image.id);
  }

  private scopeQuery() {
    const { scope } = this.o;
    return scope.kind === 'all' && scope.datasetId ? { datasetId: scope.datasetId } : {};
  }

  /** Upload scopes ask about their ids in chunks; the whole library is paged with a cursor. */
  private async firstPage(model: string) {
    const { scope } = this.o;
    if (scope.kind === 'all') return this.o.api.pending({ model, ...this.scopeQuery(), limit: this.o.pageSize });
    const images: PendingImage[] = [];
    const counts = { total: 0, pending: 0, done: 0 };
    for (let i = 0; i < scope.ids.length; i += ID_CHUNK) {
      const page = await this.o.api.pending({ model, ids: scope.ids.slice(i, i + ID_CHUNK), limit: ID_CHUNK });
      images.push(...page.images);
      counts.total += page.counts.total;
      counts.pending += page.counts.pending;
      counts.done += page.counts.done;
    }
    return { model, images, nextCursor: null, counts };
  }

  /** Waits while paused; false once cancelled. */
  private async gate(): Promise<boolean> {
    while (this.resumeGate && !this.cancelled) {
      const gate = this.resumeGate;
      // Other lanes may still have an image under way: paused means none is.
      while (this.underway.size > 0 || this.inflight.size > 0) await Promise.all([...this.underway, ...this.inflight]);
      if (this.resumeGate === gate && this.snapshot.status === 'pausing') this.set((s) => ({ status: 'paused', ...this.stopClock(s) }));
      await gate.promise;
    }
    return !this.cancelled;
  }

  /**
   * As many lanes as the prelabeler analyses images at once (its workers), each taking the next
   * image of the page; each image taken starts the next one's download.
   */
  private async processPage(images: PendingImage[]) {
    const downloads = new Map<number, Promise<Blob | null>>();
    const fetchAt = (i: number) => {
      if (i < images.length && !downloads.has(i)) downloads.set(i, this.download(images[i]));
      return downloads.get(i);
    };
    let next = 0;
    /** One image from download to its save being under way; 'stop' when the model keeps failing. */
    const take = async (i: number): Promise<'stop' | void> => {
      const blob = await fetchAt(i);
      downloads.delete(i);
      void fetchAt(i + 1);
      if (!blob) return;
      const result = await this.predict(images[i], blob);
      if (this.predictFailuresInARow >= this.o.maxPredictFailuresInARow) {
        const last = this.snapshot.failures.at(-1)?.reason ?? 'unknown error';
        if ((this.snapshot.status as RunStatus) !== 'error') {
          this.set((s) => ({ status: 'error', error: `The model failed on ${this.predictFailuresInARow} images in a row (${last}); stopped.`, ...this.stopClock(s) }));
        }
        return 'stop';
      }
      if (!result) return;
      while (this.inflight.size >= this.o.saveConcurrency) await Promise.race(this.inflight);
      const saving: Promise<void> = this.save(images[i], result).finally(() => this.inflight.delete(saving));
      this.inflight.add(saving);
    };
    const lane = async () => {
      for (;;) {
        if (!(await this.gate()) || this.snapshot.status === 'error') return;
        const i = next++;
        if (i >= images.length) return;
        // Tracked until its save is in `inflight`, so a pause waits for it (see gate).
        const work = take(i);
        this.underway.add(work);
        if ((await work.finally(() => this.underway.delete(work))) === 'stop') return;
      }
    };
    const lanes = Math.max(1, Math.floor(this.o.prelabeler.info.workers ?? 1));
    await Promise.all(Array.from({ length: lanes }, lane));
  }

  private fail(image: PendingImage, stage: FailureStage, reason: string, result?: PrelabelResult) {
    this.set((s) => ({ failures: [...s.failures.filter((f) => f.image.id !== image.id), { image, stage, reason, result }] }));
  }

  private async withRetry<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const retryable = !(error instanceof RequestError) || error.retryable;
        if (!retryable || attempt >= this.o.attempts) throw error;
        await this.o.sleep(this.o.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
      }
    }
  }

  private async download(image: PendingImage): Promise<Blob | null> {
    try {
      return await this.withRetry(() => this.o.api.imageFile(image.id));
    } catch (error) {
      this.fail(image, 'download', `Could not download the image: ${reasonOf(error)}`);
      return null;
    }
  }

  private async predict(image: PendingImage, blob: Blob): Promise<PrelabelResult | null> {
    try {
      const result = await this.o.prelabeler.prelabel(blob, detectorOptions(image.scoreThreshold));
      this.predictFailuresInARow = 0;
      const kept = this.record(image, result).faces;
      this.set((s) => ({ faces: s.faces + kept.length, latest: { image, result: { ...result, faces: kept }, blob } }));
      return result;
    } catch (error) {
      this.predictFailuresInARow++;
      this.fail(image, 'predict', `Could not analyse the image: ${reasonOf(error)}`);
      return null;
    }
  }

  private async save(image: PendingImage, result: PrelabelResult): Promise<void> {
    try {
      const record = this.record(image, result);
      const saved = await this.withRetry(() => this.o.api.savePredictions(image.id, { model: this.snapshot.model, ...record }));
      const t = record.detector.scoreThreshold;
      this.set((s) => ({ done: s.done + 1, skipped: s.skipped + (saved.skipped ? 1 : 0), thresholds: s.thresholds.includes(t) ? s.thresholds : [...s.thresholds, t].sort((a, b) => a - b) }));
      this.o.onSaved?.(image.id);
    } catch (error) {
      this.fail(image, 'save', `Could not save the predictions: ${reasonOf(error)}`, result);
    }
  }
}

/** Faces per second and the time left, from the time actually spent running (pauses excluded). */
export function rates(s: RunSnapshot, now: number) {
  const seconds = (s.activeMs + (s.runningSince === null ? 0 : now - s.runningSince)) / 1000;
  const processed = s.done - s.doneAtStart + s.failures.length;
  const remaining = Math.max(0, s.total - s.done - s.failures.length);
  return {
    seconds,
    facesPerSecond: seconds > 0 ? s.faces / seconds : 0,
    etaSeconds: processed > 0 && seconds > 0 ? remaining / (processed / seconds) : null,
  };
}
