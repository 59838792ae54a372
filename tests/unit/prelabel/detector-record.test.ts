import { describe, expect, it } from 'vitest';
import { CANDIDATE_FLOOR, detectorOptions, detectorRecord } from '@/components/prelabel/detector-record';
import type { PredictionsSave, PrelabelApi } from '@/components/prelabel/prelabel-api';
import { PrelabelRun } from '@/components/prelabel/run-queue';
import type { PendingImage, PrelabelCallOptions, PrelabelResult } from '@/components/prelabel/types';
import { DEFAULT_DETECT } from '@/lib/ml/detector';

const probs = Array.from({ length: 24 }, (_, i) => (i === 5 ? 0.77 : 0.01));
const face = (x: number, detScore: number) => ({ box: { x, y: 0, w: 30, h: 30 }, detScore, pMale: 0.7, ageProbs: probs, age: 21 });
const result = (faces: ReturnType<typeof face>[], extra = {}): PrelabelResult => ({ width: 400, height: 100, ms: 1, faces, ...extra });

describe('detector record of a pre-label save', () => {
  it('asks the worker for the dataset threshold, else the default, with candidates down to the floor', () => {
    expect(detectorOptions(0.62)).toEqual({ scoreThreshold: 0.62, candidateFloor: CANDIDATE_FLOOR });
    expect(detectorOptions(null).scoreThreshold).toBe(DEFAULT_DETECT.scoreThreshold);
  });

  it('a worker that applied the threshold and reported candidates: faces above, candidates down to its floor', () => {
    const r = detectorRecord(result([face(0, 0.9), face(100, 0.7)], { candidates: [{ box: face(200, 0.4).box, detScore: 0.4 }, { box: face(300, 0.2).box, detScore: 0.2 }], candidateFloor: 0.3, scoreThreshold: 0.65 }), 0.65);
    expect(r.faces.map((f) => f.detScore)).toEqual([0.9, 0.7]);
    expect(r.candidates.map((c) => c.detScore)).toEqual([0.4]);
    expect(r.detector).toEqual({ scoreThreshold: 0.65, floor: 0.3 });
  });

  it('a worker at its default: a higher dataset threshold is applied here, a lower one cannot be honoured', () => {
    const raised = detectorRecord(result([face(0, 0.9), face(100, 0.55)]), 0.6);
    expect(raised.faces.map((f) => f.detScore)).toEqual([0.9]);
    expect(raised.candidates.map((c) => c.detScore)).toEqual([0.55]);
    expect(raised.detector).toEqual({ scoreThreshold: 0.6, floor: 0.5 });
    expect(detectorRecord(result([face(0, 0.55)]), 0.4).detector).toEqual({ scoreThreshold: 0.5, floor: 0.5 });
  });

  it('believes the threshold a worker reports over the assumed one', () => {
    const r = detectorRecord(result([face(0, 0.9), face(100, 0.45)], { scoreThreshold: 0.4 }), 0.4);
    expect(r.detector).toEqual({ scoreThreshold: 0.4, floor: 0.4 });
    expect(r.faces).toHaveLength(2);
  });
});

describe('pre-label run with dataset thresholds', () => {
  const images: PendingImage[] = [
    { id: 'a', sourceName: 'a.jpg', width: 400, height: 100, prelabelModel: null, scoreThreshold: 0.8 },
    { id: 'b', sourceName: 'b.jpg', width: 400, height: 100, prelabelModel: null, scoreThreshold: null },
  ];
  function server() {
    const saves = new Map<string, PredictionsSave>();
    const api: PrelabelApi = {
      async pending(q) {
        const left = images.filter((i) => !saves.has(i.id));
        return { model: q.model, images: left, nextCursor: null, counts: { total: 2, pending: left.length, done: 2 - left.length } };
      },
      imageFile: async (id) => new Blob([id]),
      async savePredictions(id, body) {
        saves.set(id, body);
        return { skipped: false, created: body.faces.length, updated: 0, replaced: 0 };
      },
    };
    return { api, saves };
  }
  const info = { backend: 'test', backendReason: 'test double', model: 'agegender-r0', detector: 'fake' };

  it('passes each image’s threshold to a prelabeler that takes options and saves what it kept', async () => {
    const { api, saves } = server();
    const calls: PrelabelCallOptions[] = [];
    const prelabel = async (_blob: Blob, options?: PrelabelCallOptions) => {
      calls.push(options!);
      const all = [face(0, 0.9), face(100, 0.7)];
      return result(all.filter((f) => f.detScore >= options!.scoreThreshold!), { candidates: all.filter((f) => f.detScore < options!.scoreThreshold!), candidateFloor: options!.candidateFloor });
    };
    const end = await new PrelabelRun({ prelabeler: { info, prelabel, dispose() {} }, api, scope: { kind: 'all' }, sleep: async () => {} }).start();
    expect(calls.map((c) => c.scoreThreshold)).toEqual([0.8, DEFAULT_DETECT.scoreThreshold]);
    expect(saves.get('a')).toMatchObject({ detector: { scoreThreshold: 0.8, floor: CANDIDATE_FLOOR }, candidates: [{ detScore: 0.7 }] });
    expect(saves.get('a')!.faces).toHaveLength(1);
    expect(end.faces).toBe(1 + (0.7 >= DEFAULT_DETECT.scoreThreshold ? 2 : 1));
    expect(end.thresholds).toEqual([...new Set([0.8, DEFAULT_DETECT.scoreThreshold])].sort((x, y) => x - y));
  });

  it('applies a raised threshold itself when the prelabeler takes only the image', async () => {
    const { api, saves } = server();
    const prelabel = async (_blob: Blob) => result([face(0, 0.9), face(100, 0.7)].filter((f) => f.detScore >= DEFAULT_DETECT.scoreThreshold));
    await new PrelabelRun({ prelabeler: { info, prelabel, dispose() {} }, api, scope: { kind: 'all' }, sleep: async () => {} }).start();
    expect(saves.get('a')!.faces.map((f) => f.detScore)).toEqual([0.9]);
    expect(saves.get('a')!.detector).toEqual({ scoreThreshold: 0.8, floor: DEFAULT_DETECT.scoreThreshold });
  });
});
