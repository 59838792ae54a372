import { describe, expect, it } from 'vitest';
import { RequestError, type PendingQuery, type PrelabelApi } from '@/components/prelabel/prelabel-api';
import { PrelabelRun, rates, usableFaces } from '@/components/prelabel/run-queue';
import type { PendingImage, Prelabeler, PrelabelResult } from '@/components/prelabel/types';

const probs = Array.from({ length: 24 }, (_, i) => (i === 5 ? 0.77 : 0.01));

/** An in-memory stand-in for the server: the pending list shrinks as predictions are saved. */
function fakeServer(n: number, options: { failSave?: (id: string, attempt: number) => RequestError | null; failFile?: Set<string>; fileDelayMs?: (id: string) => number } = {}) {
  const images: PendingImage[] = Array.from({ length: n }, (_, i) => ({ id: `img${String(i).padStart(3, '0')}`, sourceName: `${i}.jpg`, width: 100, height: 80, prelabelModel: null }));
  const saved = new Map<string, number>();
  const attempts = new Map<string, number>();
  let concurrentSaves = 0;
  let maxConcurrentSaves = 0;
  const api: PrelabelApi = {
    async pending(q: PendingQuery) {
      const inScope = images.filter((i) => !q.ids || q.ids.includes(i.id));
      const pending = inScope.filter((i) => !saved.has(i.id));
      const page = pending.filter((i) => !q.cursor || i.id > q.cursor).slice(0, q.limit + 1);
      const shown = page.slice(0, q.limit);
      return {
        model: q.model,
        images: shown,
        nextCursor: page.length > q.limit ? shown.at(-1)!.id : null,
        counts: { total: inScope.length, pending: pending.length, done: inScope.length - pending.length },
      };
    },
    async imageFile(id) {
      if (options.fileDelayMs) await new Promise((r) => setTimeout(r, options.fileDelayMs!(id)));
      if (options.failFile?.has(id)) throw new RequestError('No such image (it may have been deleted)', 404, false);
      return new Blob([id]);
    },
    async savePredictions(id, body) {
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      concurrentSaves++;
      maxConcurrentSaves = Math.max(maxConcurrentSaves, concurrentSaves);
      await new Promise((r) => setTimeout(r, 2));
      concurrentSaves--;
      const error = options.failSave?.(id, attempt);
      if (error) throw error;
      if (saved.has(id)) return { skipped: true, created: 0, updated: 0, replaced: 0 };
      saved.set(id, body.faces.length);
      return { skipped: false, created: body.faces.length, updated: 0, replaced: 0 };
    },
  };
  return { api, images, saved, attempts, maxConcurrent: () => maxConcurrentSaves };
}

function fakeModel(options: { fail?: (text: string) => boolean; onPredict?: (text: string) => Promise<void> | void; workers?: number } = {}) {
  const predicted: string[] = [];
  const model: Prelabeler = {
    info: { backend: 'test', backendReason: 'test double', model: 'agegender-r0', detector: 'fake', workers: options.workers },
    async prelabel(blob): Promise<PrelabelResult> {
      const text = await blob.text();
      await options.onPredict?.(text);
      if (options.fail?.(text)) throw new Error('Could not decode the image');
      predicted.push(text);
      return { width: 100, height: 80, ms: 3, faces: [{ box: { x: 10, y: 10, w: 30, h: 30 }, detScore: 0.9, pMale: 0.7, ageProbs: probs, age: 21 }] };
    },
    dispose() {},
  };
  return { model, predicted };
}

const noSleep = async () => {};

describe('pre-label run', () => {
  it('predicts every pending image once, saves all, and counts faces', async () => {
    const server = fakeServer(120);
    const { model, predicted } = fakeModel();
    const run = new PrelabelRun({ prelabeler: model, api: server.api, scope: { kind: 'all' }, pageSize: 25, sleep: noSleep });
    const end = await run.start();
    expect(end).toMatchObject({ status: 'done', total: 120, done: 120, faces: 120, failures: [] });
    expect(new Set(predicted).size).toBe(120);
    expect(predicted.length).toBe(120);
    expect(server.saved.size).toBe(120);
    expect(server.maxConcurrent()).toBeLessThanOrEqual(3);
  });

  it('retries transient save errors with backoff and lists permanent ones with the result kept', async () => {
    const server = fakeServer(6, {
      failSave: (id, attempt) =>
        id === 'img001' && attempt < 3 ? new RequestError('Server error 503', 503, true) : id === 'img004' ? new RequestError('A predicted box is too small', 400, false) : null,
    });
    const sleeps: number[] = [];
    const { model, predicted } = fakeModel();
    const run = new PrelabelRun({ prelabeler: model, api: server.api, scope: { kind: 'all' }, sleep: async (ms) => void sleeps.push(ms), backoffMs: 100 });
    const end = await run.start();
    expect(end.done).toBe(5);
    expect(server.attempts.get('img001')).toBe(3);
    expect(sleeps.length).toBe(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0]);
    expect(server.attempts.get('img004')).toBe(1); // a 400 is not retried
    expect(end.failures).toEqual([expect.objectContaining({ stage: 'save', reason: expect.stringContaining('too small'), result: expect.any(Object) })]);
    // The retry button re-sends the kept result without predicting again.
    const before = predicted.length;
    await run.retry('img004');
    expect(predicted.length).toBe(before);
    expect(run.getSnapshot().failures).toHaveLength(1);
    expect(server.attempts.get('img004')).toBe(2);
  });

  it('lists images that cannot be downloaded or decoded, and predicts them again on retry', async () => {
    let broken = true;
    const server = fakeServer(5, { failFile: new Set(['img002']) });
    const { model } = fakeModel({ fail: (t) => broken && t === 'img003' });
    const run = new PrelabelRun({ prelabeler: model, api: server.api, scope: { kind: 'all' }, sleep: noSleep });
    const end = await run.start();
    expect(end.status).toBe('done');
    expect(end.done).toBe(3);
    expect(end.failures.map((f) => [f.image.id, f.stage])).toEqual([
      ['img002', 'download'],
      ['img003', 'predict'],
    ]);
    expect(end.failures[1].reason).toMatch(/decode/);
    broken = false;
    await run.retryAll();
    expect(run.getSnapshot().failures.map((f) => f.image.id)).toEqual(['img002']);
    expect(server.saved.has('img003')).toBe(true);
  });

  it('stops when the model fails on several images in a row (a broken model, not bad images)', async () => {
    const server = fakeServer(20);
    const { model } = fakeModel({ fail: () => true });
    const run = new PrelabelRun({ prelabeler: model, api: server.api, scope: { kind: 'all' }, sleep: noSleep, maxPredictFailuresInARow: 4 });
    const end = await run.start();
    expect(end.status).toBe('error');
    expect(end.error).toMatch(/4 images in a row/);
    expect(end.failures).toHaveLength(4);
    expect(server.saved.size).toBe(0);
  });

  it('keeps as many images under analysis as the prelabeler has workers, each predicted and saved once', async () => {
    const server = fakeServer(40);
    let now = 0;
    let most = 0;
    const { model, predicted } = fakeModel({
      workers: 3,
      onPredict: async () => {
        most = Math.max(most, ++now);
        await new Promise((r) => setTimeout(r, 3));
        now--;
      },
    });
    const end = await new PrelabelRun({ prelabeler: model, api: server.api, scope: { kind: 'all' }, pageSize: 15, sleep: noSleep }).start();
    expect(end).toMatchObject({ status: 'done', done: 40, faces: 40, failures: [] });
    expect(most).toBe(3);
    expect(predicted.length).toBe(40);
    expect(new Set(predicted).size).toBe(40);
  });

  it('with several workers, paused means no image is still being downloaded, analysed or saved', async () => {
    const server = fakeServer(30, { fileDelayMs: (id) => (Number(id.slice(3)) % 4) * 12 + 2 }); // lanes out of step
    let run!: PrelabelRun;
    let seen = 0;
    const { model, predicted } = fakeModel({
      workers: 3,
      onPredict: async () => {
        if (++seen === 5) run.pause();
        await new Promise((r) => setTimeout(r, 1));
      },
    });
    run = new PrelabelRun({ prelabeler: model, api: server.api, scope: { kind: 'all' }, sleep: noSleep });
    let pausedAt: { done: number; predicted: number } | null = null;
    const movedWhilePaused: number[] = [];
    run.subscribe(() => {
      const snap = run.getSnapshot();
      if (snap.status !== 'paused') return;
      pausedAt ??= { done: snap.done, predicted: predicted.length };
      if (snap.done !== pausedAt.done || predicted.length !== pausedAt.predicted) movedWhilePaused.push(snap.done);
    });
    const finished = run.start();
    await expect.poll(() => run.getSnapshot().status).toBe('paused');
    await new Promise((r) => setTimeout(r, 100));
    expect(movedWhilePaused).toEqual([]);
    expect(pausedAt).toEqual({ done: run.getSnapshot().done, predicted: predicted.length });
    const { done } = run.getSnapshot();
    expect(done).toBe(predicted.length);
    expect(predicted.length).toBe(done);
    run.resume();
    const end = await finished;
    expect(end).toMatchObject({ status: 'done', done: 30 });
  });

  it('pauses, resumes and cancels between images', async () => {
    const server = fakeServer(30);
    let run!: PrelabelRun;
    let seen = 0;
    const { model, predicted } = fakeModel({ onPredict: () => void (++seen === 5 && run.pause()) });
    run = new PrelabelRun({ prelabeler: model, api: server.api, scope: { kind: 'all' }, sleep: noSleep });
    const finished = run.start();
    await new Promise((r) => setTimeout(r, 50));
    // 'paused' only once the image under way is saved: nothing moves while paused.
    expect(run.getSnapshot()).toMatchObject({ status: 'paused', done: 5 });
    expect(predicted.length).toBe(5);
    run.resume();
    await new Promise((r) => setTimeout(r, 1));
    run.cancel();
    const end = await finished;
    expect(end.status).toBe('cancelled');
    expect(predicted.length).toBeLessThan(30);
    expect(end.done).toBe(predicted.length); // everything predicted was saved
  });

  it('after a reload, continues with what is left and never predicts a finished image again', async () => {
    const server = fakeServer(10);
    const first = fakeModel();
    const ids = server.images.map((i) => i.id);
    let n = 0;
    let run1!: PrelabelRun;
    const m1 = fakeModel({ onPredict: () => void (++n === 4 && run1.cancel()) });
    run1 = new PrelabelRun({ prelabeler: m1.model, api: server.api, scope: { kind: 'ids', ids }, sleep: noSleep });
    await run1.start();
    const finished = [...server.saved.keys()];
    expect(finished.length).toBe(4);
    const run2 = new PrelabelRun({ prelabeler: first.model, api: server.api, scope: { kind: 'ids', ids }, sleep: noSleep, resumed: { total: 10 } });
    const end = await run2.start();
    expect(end).toMatchObject({ status: 'done', total: 10, done: 10, doneAtStart: 4 });
    expect(first.predicted.some((id) => finished.includes(id))).toBe(false);
    expect(first.predicted.length).toBe(6);
  });

  it('reports faces per second and the time left from running time only', () => {
    const s = { total: 100, done: 30, doneAtStart: 10, failures: [], faces: 60, activeMs: 10_000, runningSince: null } as unknown as Parameters<typeof rates>[0];
    expect(rates(s, 0)).toEqual({ seconds: 10, facesPerSecond: 6, etaSeconds: 35 });
  });

  it('drops boxes that would be under 2×2 pixels inside the image', () => {
    const face = (x: number, w: number) => ({ box: { x, y: 0, w, h: 10 }, detScore: 1, pMale: 1, ageProbs: probs, age: 1 });
    expect(usableFaces({ width: 100, height: 80, ms: 0, faces: [face(0, 10), face(99, 10), face(-20, 21)] }).length).toBe(1);
  });
});
