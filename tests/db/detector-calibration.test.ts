import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as predictRoute } from '@/app/api/images/[id]/predictions/route';
import { GET as calibrationRoute } from '@/app/api/models/detector/route';
import { POST as thresholdRoute } from '@/app/api/models/detector/threshold/route';
import { saveLabel } from '@/lib/api/annotate/save-label';
import { createFace } from '@/lib/api/faces/create-face';
import { deleteFace } from '@/lib/api/faces/delete-face';
import { calibrationImages, detectorCalibration } from '@/lib/api/models/detector-calibration';
import { listPending } from '@/lib/api/prelabel/list-pending';
import { evaluateAt } from '@/lib/domain/detector-calibration';
import type { PrismaClient } from '@/lib/server/db';
import { DEFAULT_DETECT } from '@/lib/ml/detector';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let annotator: { id: string; email: string; role: string };
let cookie: string;
let maintainer: string;
let datasetId: string;
const ids: Record<string, string> = {};

const probs = Array.from({ length: 24 }, (_, i) => (i === 14 ? 0.9 : 0.1 / 23));
const box = (x: number, y = 10, s = 100) => ({ x, y, w: s, h: s });
const face = (x: number, detScore: number, y = 10) => ({ box: box(x, y), detScore, pMale: 0.9, ageProbs: probs, age: 33 });

async function newImage(name: string) {
  const image = await prisma.image.create({
    data: { contentHash: name.padEnd(64, '0'), storageKey: name, thumbKey: name, mimeType: 'image/jpeg', bytes: 1, width: 600, height: 400, sourceName: `${name}.jpg`, datasetId },
  });
  ids[name] = image.id;
  return image.id;
}

async function predict(id: string, body: object) {
  const res = await predictRoute(request(`/api/images/${id}/predictions`, { method: 'POST', cookie, body }), ctx({ id }));
  return { status: res.status, body: await res.json() };
}

const facesOf = (imageId: string) => prisma.face.findMany({ where: { imageId }, orderBy: { x: 'asc' } });
const move = (f: { id: string; version: number }, x: number) => saveLabel(prisma, f.id, annotator.id, { version: f.version, action: 'box', box: box(x) });
const label = (id: string) => prisma.face.findUniqueOrThrow({ where: { id } }).then((f) => saveLabel(prisma, id, annotator.id, { version: f.version, action: 'label', gender: 'MALE', age: 30 }));
const remove = (id: string) => prisma.face.findUniqueOrThrow({ where: { id } }).then((f) => deleteFace(prisma, id, annotator.id, { version: f.version }));

beforeAll(async () => {
  prisma = await startTestApp();
  annotator = await createUser('ANNOTATOR');
  cookie = await sessionCookie(annotator);
  maintainer = await sessionCookie(await createUser('MAINTAINER'));
  datasetId = (await prisma.dataset.create({ data: { name: 'Calibration' } })).id;
});
afterAll(stopTestApp);

describe('detector calibration data', () => {
  it('keeps the detector output of a save, candidates included, and refuses inconsistent ones', async () => {
    const id = await newImage('recorded');
    const bad = await predict(id, { model: 'm1', faces: [face(10, 0.9)], detector: { scoreThreshold: 0.5, floor: 0.3 }, candidates: [{ box: box(300), detScore: 0.6 }] });
    expect(bad.status).toBe(400);
    const ok = await predict(id, {
      model: 'm1',
      faces: [face(10, 0.9), face(200, 0.6)],
      detector: { scoreThreshold: 0.5, floor: 0.3 },
      candidates: [{ box: box(400, 250), detScore: 0.35 }],
    });
    expect(ok.body).toMatchObject({ created: 2 });
    const run = await prisma.detectorRun.findUniqueOrThrow({ where: { imageId: id } });
    expect(run).toMatchObject({ model: 'm1', scoreThreshold: 0.5, floor: 0.3 });
    expect((run.detections as { score: number }[]).map((d) => d.score)).toEqual([0.9, 0.6, 0.35]);
    expect(await prisma.face.count({ where: { imageId: id } })).toBe(2); // candidates are not faces
  });

  it('only counts images people finished', async () => {
    expect((await calibrationImages(prisma, datasetId)).images).toHaveLength(0); // faces still PREDICTED
    const [a, b] = await facesOf(ids.recorded);
    await move(a, 20); // a small correction: still the detector's face
    await label(a.id);
    await remove(b.id); // a false positive
    await createFace(prisma, ids.recorded, annotator.id, { box: box(400, 250), gender: 'FEMALE', age: 40 }); // the detector's miss
    const { images } = await calibrationImages(prisma, datasetId);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ floor: 0.3, truth: [box(20), box(400, 250)], ignore: [] });
    expect(images[0].detections.map((d) => d.score)).toEqual([0.9, 0.6, 0.35]);
    // At 0.5 the miss is a miss; at 0.3 the candidate finds it.
    expect(evaluateAt(images, 0.5)).toMatchObject({ tp: 1, fp: 1, fn: 1 });
    expect(evaluateAt(images, 0.3)).toMatchObject({ tp: 2, fp: 1, fn: 0 });
    expect(evaluateAt(images, 0.65)).toMatchObject({ tp: 1, fp: 0, fn: 1 });
  });

  it('rebuilds the detector boxes of an image saved without a record from its faces and history', async () => {
    const id = await newImage('legacy');
    await predict(id, { model: 'm1', faces: [face(10, 0.8), face(300, 0.7), face(450, 0.95, 250)] });
    expect(await prisma.detectorRun.count({ where: { imageId: id } })).toBe(0);
    const [e, f, g] = await facesOf(id);
    const moved = await move(e, 70); // moved far: IoU 0.3 with where the detector put it
    await label(moved.face.id);
    const fMoved = await move(f, 320);
    await remove(fMoved.face.id); // moved, then deleted after all
    await prisma.face.update({ where: { id: g.id }, data: { status: 'SKIPPED', version: { increment: 1 } } });
    const image = (await calibrationImages(prisma, datasetId)).images.find((i) => i.truth.some((t) => t.x === 70))!;
    expect(image.detections).toEqual(expect.arrayContaining([{ ...box(10), score: 0.8 }, { ...box(300), score: null }, { ...box(450, 250), score: 0.95 }]));
    expect(image.detections).toHaveLength(3);
    expect(image).toMatchObject({ truth: [box(70)], ignore: [box(450, 250)], floor: 0.5 });
    expect(evaluateAt([image], 0.5)).toMatchObject({ tp: 0, fp: 2, fn: 1, ignored: 1 });
  });

  it('counts an image whose only detection was deleted, not one nobody looked at', async () => {
    const touched = await newImage('emptied');
    await predict(touched, { model: 'm1', faces: [face(10, 0.55)], detector: { scoreThreshold: 0.5, floor: 0.3 } });
    await remove((await facesOf(touched))[0].id);
    const untouched = await newImage('nothing-found');
    await predict(untouched, { model: 'm1', faces: [], detector: { scoreThreshold: 0.5, floor: 0.3 } });
    const { images } = await calibrationImages(prisma, datasetId);
    expect(images).toHaveLength(3);
    expect(images.some((i) => i.truth.length === 0 && i.detections.length === 1 && i.detections[0].score === 0.55)).toBe(true);
  });

  it('reports per dataset, and a maintainer applies a threshold that the pre-label list then carries', async () => {
    const report = await detectorCalibration(prisma, { images: 1, faces: 1 });
    const mine = report.datasets.find((d) => d.id === datasetId)!;
    expect(report.defaultThreshold).toBe(DEFAULT_DETECT.scoreThreshold);
    expect(mine).toMatchObject({ name: 'Calibration', threshold: null, inUse: DEFAULT_DETECT.scoreThreshold, prelabeledAt: [{ threshold: 0.5, images: 3 }] });
    expect(mine.calibration).toMatchObject({ images: 3, humanBoxes: 3, sweepImages: 2, evaluableFrom: 0.3, unscored: 1 });
    expect(mine.calibration.recommended).not.toBeNull();

    const res = await calibrationRoute(request('/api/models/detector', { cookie: maintainer }), ctx());
    expect(res.status).toBe(200);
    expect((await res.json()).datasets.find((d: { id: string }) => d.id === datasetId).calibration.images).toBe(3);

    const post = (body: object) => thresholdRoute(request('/api/models/detector/threshold', { method: 'POST', cookie: maintainer, body }), ctx());
    expect((await post({ datasetId, threshold: 1.5 })).status).toBe(400);
    expect((await post({ datasetId: 'nope', threshold: 0.6 })).status).toBe(404);
    const applied = await post({ datasetId, threshold: 0.6, evidence: { images: 3, f1: 0.5, currentF1: 0.4 } });
    expect(applied.status).toBe(200);
    expect(await applied.json()).toMatchObject({ dataset: { id: datasetId, threshold: 0.6 }, previous: null });
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { action: 'DETECTOR_THRESHOLD' } });
    expect(audit).toMatchObject({ subject: 'dataset/Calibration', details: { from: null, to: 0.6, evidence: { images: 3 } } });

    await newImage('next-upload');
    const page = await listPending(prisma, { model: 'm2', datasetId, limit: 50 });
    expect(page.images.map((i) => i.scoreThreshold)).toEqual(page.images.map(() => 0.6));
    expect((await detectorCalibration(prisma)).datasets.find((d) => d.id === datasetId)).toMatchObject({ threshold: 0.6, inUse: 0.6 });
  });
});
