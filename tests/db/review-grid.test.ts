import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as listRoute } from '@/app/api/review/route';
import { POST as approveRoute } from '@/app/api/review/approve/route';
import { POST as sendBackRoute } from '@/app/api/review/send-back/route';
import { nextFace } from '@/lib/api/annotate/next-face';
import type { PrismaClient } from '@/lib/server/db';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let curator: { id: string; cookie: string };
let annotatorCookie: string;
let A: string;
let B: string;
const f: Record<string, string> = {};
let imageId: string;

const day = (d: number) => new Date(Date.UTC(2030, 0, d, 10));
const list = async (query = '') => {
  const res = await listRoute(request(`/api/review${query}`, { cookie: curator.cookie }), ctx());
  expect(res.status).toBe(200);
  return res.json();
};
const ids = (body: { faces: { id: string }[] }) => body.faces.map((x) => x.id);
const post = (route: typeof approveRoute, path: string, body: object, cookie = curator.cookie) => route(request(path, { method: 'POST', cookie, body }), ctx());

beforeAll(async () => {
  prisma = await startTestApp();
  const c = await createUser('CURATOR', 'curator@test.local');
  curator = { id: c.id, cookie: await sessionCookie(c) };
  const a = await createUser('ANNOTATOR', 'a@test.local');
  A = a.id;
  annotatorCookie = await sessionCookie(a);
  B = (await createUser('ANNOTATOR', 'b@test.local')).id;
  const datasetId = (await prisma.dataset.findFirstOrThrow()).id;
  imageId = (
    await prisma.image.create({
      data: { contentHash: 'e'.repeat(64), storageKey: 'images/e.jpg', thumbKey: 't/e.jpg', mimeType: 'image/jpeg', bytes: 1, width: 500, height: 400, sourceName: 'group.jpg', datasetId },
    })
  ).id;
  const add = async (name: string, data: Record<string, unknown>) => {
    f[name] = (await prisma.face.create({ data: { imageId, x: 10, y: 20, w: 30, h: 40, predModel: 'm', predGender: 'MALE', predAgeBin: 12, predAge: 26, ...data } })).id;
  };
  await add('r1', { status: 'LABELED', labeledById: A, labeledAt: day(10), gender: 'MALE', age: 26, ageBin: 12 });
  await add('r2', { status: 'LABELED', labeledById: A, labeledAt: day(11), gender: 'FEMALE', age: 27, ageBin: 12 });
  await add('r3', { status: 'LABELED', labeledById: B, labeledAt: day(12), gender: 'FEMALE', age: 70, ageBin: 22, predGender: 'FEMALE', predAgeBin: 22, uncertainty: 0.9 });
  await add('r4', { status: 'SKIPPED', labeledById: B, labeledAt: day(12) });
  await add('r5', { status: 'PREDICTED', uncertainty: 0.2 });
  await add('r6', { status: 'REVIEWED', labeledById: A, labeledAt: day(9), gender: 'MALE', age: 25, ageBin: 12, reviewedById: curator.id, reviewedAt: day(9) });
});
afterAll(stopTestApp);

describe('review grid', () => {
  it('lists LABELED faces newest first, with what a crop needs', async () => {
    const body = await list();
    expect(ids(body)).toEqual([f.r3, f.r2, f.r1]);
    expect(body.total).toBe(3);
    const r2 = body.faces[1];
    expect(r2).toMatchObject({
      version: 1,
      status: 'LABELED',
      image: { id: imageId, width: 500, height: 400, url: `/api/images/${imageId}/file` },
      box: { x: 10, y: 20, w: 30, h: 40 },
      labels: { gender: 'FEMALE', age: 27, ageBin: 12 },
      prediction: { gender: 'MALE', ageBin: 12 },
      disagreement: { gender: true, ageBin: false },
      labeledBy: { email: 'a@test.local' },
    });
  });

  it('filters by annotator, date range, disagreement, gender, age bin, status, and pages', async () => {
    expect(ids(await list(`?annotatorId=${A}`))).toEqual([f.r2, f.r1]);
    expect(ids(await list('?from=2030-01-11&to=2030-01-12'))).toEqual([f.r2]);
    expect(ids(await list('?disagreement=true'))).toEqual([f.r2]);
    expect(ids(await list('?gender=FEMALE'))).toEqual([f.r3, f.r2]);
    expect(ids(await list('?ageBin=22'))).toEqual([f.r3]);
    expect(ids(await list('?status=LABELED,REVIEWED'))).toEqual([f.r3, f.r2, f.r1, f.r6]);
    expect(ids(await list('?status=SKIPPED'))).toEqual([f.r4]);
    const page = await list('?pageSize=2&page=2');
    expect([ids(page), page.total]).toEqual([[f.r1], 3]);
    const bad = await listRoute(request('/api/review?status=NOPE', { cookie: curator.cookie }), ctx());
    expect(bad.status).toBe(400);
  });

  it('approves in bulk at the versions seen, reporting what it could not approve', async () => {
    const res = await post(approveRoute, '/api/review/approve', {
      faces: [
        { id: f.r1, version: 1 },
        { id: f.r2, version: 5 },
        { id: f.r4, version: 1 },
        { id: 'missing', version: 1 },
        { id: f.r6, version: 1 },
      ],
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.updated).toEqual([f.r1]);
    expect(body.unchanged).toEqual([f.r6]);
    expect(body.refused.map((r: { id: string; code: string }) => [r.id, r.code])).toEqual([
      [f.r2, 'STALE_VERSION'],
      [f.r4, 'NOT_ALLOWED'],
      ['missing', 'NOT_FOUND'],
    ]);
    const r1 = await prisma.face.findUniqueOrThrow({ where: { id: f.r1 } });
    expect(r1).toMatchObject({ status: 'REVIEWED', reviewedById: curator.id, version: 2, labeledById: A });
    const event = await prisma.labelEvent.findFirstOrThrow({ where: { faceId: f.r1 } });
    expect(event).toMatchObject({ action: 'REVIEW', userId: curator.id, faceVersion: 2 });
    // A repeated click changes nothing.
    const again = await (await post(approveRoute, '/api/review/approve', { faces: [{ id: f.r1, version: 1 }] })).json();
    expect(again).toEqual({ updated: [], unchanged: [f.r1], refused: [] });
    expect(await prisma.labelEvent.count({ where: { faceId: f.r1 } })).toBe(1);
  });

  it('sends faces back to the queue with a note the next annotator sees', async () => {
    const body = await (await post(sendBackRoute, '/api/review/send-back', { faces: [{ id: f.r3, version: 1 }], note: 'looks younger than 70' })).json();
    expect(body.updated).toEqual([f.r3]);
    const r3 = await prisma.face.findUniqueOrThrow({ where: { id: f.r3 } });
    expect(r3).toMatchObject({ status: 'PREDICTED', labeledById: null, gender: 'FEMALE', age: 70, version: 2 });
    const event = await prisma.labelEvent.findFirstOrThrow({ where: { faceId: f.r3 } });
    expect(event).toMatchObject({ action: 'SEND_BACK', after: { status: 'PREDICTED', note: 'looks younger than 70' } });
    const next = await nextFace(prisma, B, { rng: () => 0.99 });
    expect(next.face?.id).toBe(f.r3);
    expect(next.face?.labels).toMatchObject({ gender: 'FEMALE', age: 70 });
    expect('why' in next && next.why).toBe('sent back by curator@test.local: "looks younger than 70" · model uncertainty: 0.90');
  });

  it('is for curators and admins only', async () => {
    expect((await post(approveRoute, '/api/review/approve', { faces: [{ id: f.r2, version: 1 }] }, annotatorCookie)).status).toBe(403);
    expect((await post(sendBackRoute, '/api/review/send-back', { faces: [{ id: f.r2, version: 1 }] }, annotatorCookie)).status).toBe(403);
    expect((await listRoute(request('/api/review', { cookie: annotatorCookie }), ctx())).status).toBe(403);
    expect((await prisma.face.findUniqueOrThrow({ where: { id: f.r2 } })).status).toBe('LABELED');
  });
});
