import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as predictRoute } from '@/app/api/images/[id]/predictions/route';
import type { PrismaClient } from '@/lib/server/db';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let cookie: string;
let imageId: string;

const probs = (bin: number, p = 0.9) => Array.from({ length: 24 }, (_, i) => (i === bin ? p : (1 - p) / 23));
const face = (x: number, pMale = 0.9, detScore = 0.95) => ({ box: { x, y: 10, w: 50, h: 60 }, detScore, pMale, ageProbs: probs(14), age: 33.6 });

function predict(body: object, id = imageId) {
  return predictRoute(request(`/api/images/${id}/predictions`, { method: 'POST', cookie, body }), ctx({ id }));
}

beforeAll(async () => {
  prisma = await startTestApp();
  cookie = await sessionCookie(await createUser('ANNOTATOR'));
  const dataset = await prisma.dataset.findFirstOrThrow();
  imageId = (
    await prisma.image.create({
      data: { contentHash: 'c'.repeat(64), storageKey: 'k', thumbKey: 't', mimeType: 'image/jpeg', bytes: 1, width: 400, height: 300, sourceName: 'p.jpg', datasetId: dataset.id },
    })
  ).id;
});
afterAll(stopTestApp);

describe('pre-label predictions', () => {
  it('stores detected faces with predictions and a server-computed uncertainty', async () => {
    const res = await predict({ model: 'agegender-r0', faces: [face(10, 0.97), face(200, 0.52)] });
    expect(await res.json()).toEqual({ skipped: false, created: 2, updated: 0, replaced: 0 });
    const faces = await prisma.face.findMany({ where: { imageId }, orderBy: { x: 'asc' } });
    expect(faces.map((f) => [f.predGender, f.status, f.boxSource, f.predModel])).toEqual([
      ['MALE', 'PREDICTED', 'DETECTED', 'agegender-r0'],
      ['MALE', 'PREDICTED', 'DETECTED', 'agegender-r0'],
    ]);
    expect(faces[0].predAge).toBeCloseTo(33.6);
    expect(faces[0].predAgeBin).toBe(14);
    expect(faces[1].uncertainty).toBeGreaterThan(faces[0].uncertainty);
    expect(faces[1].uncertaintyWhy).toBe('gender uncertain: p(male) 0.52');
    expect(await prisma.image.findUniqueOrThrow({ where: { id: imageId } })).toMatchObject({ prelabelModel: 'agegender-r0' });
  });

  it('never predicts twice with the same model version', async () => {
    const res = await predict({ model: 'agegender-r0', faces: [face(10)] });
    expect((await res.json()).skipped).toBe(true);
    expect(await prisma.face.count({ where: { imageId } })).toBe(2);
  });

  it('a new model replaces untouched detections but keeps what people labeled', async () => {
    const labeled = await prisma.face.findFirstOrThrow({ where: { imageId }, orderBy: { x: 'asc' } });
    await prisma.face.update({ where: { id: labeled.id }, data: { status: 'LABELED', gender: 'FEMALE', age: 30, version: 2 } });
    const res = await predict({ model: 'agegender-r1', faces: [face(12, 0.2), face(300, 0.8)] });
    expect(await res.json()).toEqual({ skipped: false, created: 1, updated: 1, replaced: 1 });
    const kept = await prisma.face.findUniqueOrThrow({ where: { id: labeled.id } });
    expect(kept).toMatchObject({ status: 'LABELED', gender: 'FEMALE', age: 30, version: 2, x: 10, predGender: 'FEMALE', predModel: 'agegender-r1' });
    expect(await prisma.face.count({ where: { imageId } })).toBe(2);
  });

  it('rejects bad input with clear errors', async () => {
    expect((await predict({ model: 'x', faces: [{ ...face(10), ageProbs: [1] }] })).status).toBe(400);
    expect((await predict({ model: 'bad model name!', faces: [] })).status).toBe(400);
    const tiny = await predict({ model: 'agegender-r2', faces: [{ ...face(10), box: { x: 399, y: 0, w: 50, h: 50 } }] });
    expect(tiny.status).toBe(400);
    expect((await predict({ model: 'x', faces: [] }, 'missing-image')).status).toBe(404);
  });
});
