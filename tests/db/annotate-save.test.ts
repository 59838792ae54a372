import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELETE as deleteRoute, GET as getRoute, PATCH as patchRoute } from '@/app/api/faces/[id]/route';
import { POST as drawRoute } from '@/app/api/images/[id]/faces/route';
import { nextFace } from '@/lib/api/annotate/next-face';
import type { PrismaClient } from '@/lib/server/db';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let datasetId: string;
let ann: { id: string; email: string; cookie: string };
let other: { id: string; email: string; cookie: string };
let imageCount = 0;

async function image(width = 400, height = 300) {
  const hash = (++imageCount).toString(16).padStart(64, 'a');
  return prisma.image.create({
    data: { contentHash: hash, storageKey: `images/x/${hash}.jpg`, thumbKey: `thumbs/${hash}.jpg`, mimeType: 'image/jpeg', bytes: 1, width, height, sourceName: 'p.jpg', datasetId },
    select: { id: true },
  });
}

async function face(extra: Record<string, unknown> = {}) {
  const img = await image();
  return prisma.face.create({
    data: { imageId: img.id, x: 100, y: 50, w: 80, h: 90, predModel: 'm1', predGender: 'FEMALE', predAge: 36.4, predAgeBin: 14, predRace: 'ASIAN', uncertainty: 0.5, ...extra },
    select: { id: true, imageId: true, version: true },
  });
}

const save = (id: string, body: object, cookie = ann.cookie) => patchRoute(request(`/api/faces/${id}`, { method: 'PATCH', cookie, body }), ctx({ id }));
const events = (faceId: string) => prisma.labelEvent.findMany({ where: { faceId }, orderBy: { id: 'asc' } });

beforeAll(async () => {
  prisma = await startTestApp();
  datasetId = (await prisma.dataset.findFirstOrThrow()).id;
  const a = await createUser('ANNOTATOR', 'ann@test.local');
  const b = await createUser('CURATOR', 'cur@test.local');
  ann = { id: a.id, email: a.email, cookie: await sessionCookie(a) };
  other = { id: b.id, email: b.email, cookie: await sessionCookie(b) };
});
afterAll(stopTestApp);

describe('saving labels', () => {
  it('labels a face: version + 1, ageBin derived, lease cleared, history before → after', async () => {
    const f = await face();
    await nextFace(prisma, ann.id, { rng: () => 0.99 });
    const res = await save(f.id, { version: 1, action: 'label', gender: 'MALE', age: 41, race: 'WHITE' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.replayed).toBe(false);
    expect(body.face).toMatchObject({ version: 2, status: 'LABELED', labels: { gender: 'MALE', age: 41, ageBin: 16, race: 'WHITE' }, lease: null });
    expect(body.face.labeledBy.email).toBe(ann.email);
    const [event] = await events(f.id);
    expect(event).toMatchObject({ action: 'LABEL', userId: ann.id, faceVersion: 2 });
    expect(event.before).toMatchObject({ status: 'PREDICTED', gender: null, age: null });
    expect(event.after).toMatchObject({ status: 'LABELED', gender: 'MALE', age: 41, ageBin: 16, race: 'WHITE' });
  });

  it('accepts the prediction unchanged (age rounded inside the predicted bin) and skips', async () => {
    const f = await face();
    const body = await (await save(f.id, { version: 1, action: 'accept' })).json();
    expect(body.face.labels).toEqual({ gender: 'FEMALE', age: 35, ageBin: 14, race: 'ASIAN' }); // 36.4 → bin 14 is 32–35
    expect((await events(f.id))[0].action).toBe('ACCEPT');
    const withValues = await save(f.id, { version: 2, action: 'accept', age: 20 });
    expect(withValues.status).toBe(400);
    const g = await face({ predModel: null, predGender: null, predAge: null, predAgeBin: null });
    const none = await save(g.id, { version: 1, action: 'accept' });
    expect(none.status).toBe(400);
    expect((await none.json()).error.message).toMatch(/no model prediction/);
    const skipped = await (await save(g.id, { version: 1, action: 'skip' })).json();
    expect(skipped.face).toMatchObject({ status: 'SKIPPED', version: 2 });
  });

  it('refuses ages of 200 and -1 (and half years) with a message, changing nothing', async () => {
    const f = await face();
    for (const age of [200, -1, 30.5, '30']) {
      const res = await save(f.id, { version: 1, action: 'label', gender: 'MALE', age });
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toMatch(/age must be a whole number of years from 0 to 120/);
    }
    const missing = await save(f.id, { version: 1, action: 'label', gender: 'MALE' });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.message).toMatch(/gender and age/);
    expect(await prisma.face.findUniqueOrThrow({ where: { id: f.id }, select: { version: true, status: true } })).toEqual({ version: 1, status: 'PREDICTED' });
    expect(await events(f.id)).toHaveLength(0);
  });

  it('clamps a box dragged outside the image and refuses a zero-size one', async () => {
    const f = await face();
    const res = await save(f.id, { version: 1, action: 'box', box: { x: 350, y: -20, w: 100, h: 80 } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.face.box).toEqual({ x: 350, y: 0, w: 50, h: 60 });
    expect(body.face.status).toBe('PREDICTED'); // box only
    expect((await events(f.id))[0]).toMatchObject({ action: 'BOX', faceVersion: 2 });
    // Dragged up-left (negative size) is normalised.
    const flipped = await (await save(f.id, { version: 2, action: 'box', box: { x: 200, y: 200, w: -50, h: -40 } })).json();
    expect(flipped.face.box).toEqual({ x: 150, y: 160, w: 50, h: 40 });
    for (const box of [{ x: 10, y: 10, w: 0, h: 40 }, { x: 500, y: 10, w: 40, h: 40 }, { x: 10, y: 299, w: 40, h: 40 }]) {
      const bad = await save(f.id, { version: 3, action: 'box', box });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.message).toMatch(/at least 2×2 pixels/);
    }
  });

  it('answers a stale save with 409 and the other person\'s change; re-applying with the new version works', async () => {
    const f = await face();
    const first = await save(f.id, { version: 1, action: 'label', gender: 'FEMALE', age: 30 }, other.cookie);
    expect(first.status).toBe(200);
    const stale = await save(f.id, { version: 1, action: 'label', gender: 'MALE', age: 33 });
    expect(stale.status).toBe(409);
    const error = (await stale.json()).error;
    expect(error.code).toBe('STALE_VERSION');
    expect(error.message).toMatch(/cur@test\.local changed this face/);
    expect(error.details.current).toMatchObject({ version: 2, labels: { gender: 'FEMALE', age: 30 }, lastChange: { action: 'LABEL', by: { email: other.email } } });
    const reapplied = await save(f.id, { version: error.details.current.version, action: 'label', gender: 'MALE', age: 33 });
    expect(reapplied.status).toBe(200);
    expect((await reapplied.json()).face).toMatchObject({ version: 3, labels: { gender: 'MALE', age: 33 } });
    const history = await events(f.id);
    expect(history.map((e) => [e.userId, e.faceVersion])).toEqual([[other.id, 2], [ann.id, 3]]);
    expect(history[1].before).toMatchObject({ gender: 'FEMALE', age: 30 });
  });

  it('stores a double submit once: same requestId, or the same save repeated', async () => {
    const f = await face();
    const body = { version: 1, action: 'label', gender: 'MALE', age: 50, requestId: 'req-0001-abcdef' };
    const [a, b] = await Promise.all([save(f.id, body), save(f.id, body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const replies = [await a.json(), await b.json()];
    expect(replies.map((r) => r.replayed).sort()).toEqual([false, true]);
    expect(replies.map((r) => r.face.version)).toEqual([2, 2]);
    const retry = await save(f.id, body); // a retry after a lost response
    expect((await retry.json()).replayed).toBe(true);
    expect(await events(f.id)).toHaveLength(1);

    const g = await face();
    const plain = { version: 1, action: 'label', gender: 'FEMALE', age: 7 };
    expect((await (await save(g.id, plain)).json()).replayed).toBe(false);
    expect((await (await save(g.id, plain)).json()).replayed).toBe(true); // key repeat without a requestId
    expect(await events(g.id)).toHaveLength(1);
    const different = await save(g.id, { ...plain, age: 8 });
    expect(different.status).toBe(409); // not the same save: a real conflict
  });

  it('says clearly when the image was deleted while someone was labeling it', async () => {
    const f = await face();
    await prisma.image.delete({ where: { id: f.imageId } });
    const res = await save(f.id, { version: 1, action: 'label', gender: 'MALE', age: 20 });
    expect(res.status).toBe(410);
    expect((await res.json()).error.message).toMatch(/no longer exists.*Nothing was saved/);
    const draw = await drawRoute(request(`/api/images/${f.imageId}/faces`, { method: 'POST', cookie: ann.cookie, body: { box: { x: 1, y: 1, w: 20, h: 20 } } }), ctx({ id: f.imageId }));
    expect(draw.status).toBe(410);
    const get = await getRoute(request(`/api/faces/${f.id}`, { cookie: ann.cookie }), ctx({ id: f.id }));
    expect(get.status).toBe(404);
  });

  it('draws a new face (labeled or into the queue), once per requestId, and deletes one at its version', async () => {
    const img = await image();
    const draw = (body: object) => drawRoute(request(`/api/images/${img.id}/faces`, { method: 'POST', cookie: ann.cookie, body }), ctx({ id: img.id }));
    const labeled = await draw({ box: { x: -10, y: 10, w: 60, h: 70 }, gender: 'FEMALE', age: 3, requestId: 'draw-0001' });
    expect(labeled.status).toBe(201);
    const lf = (await labeled.json()).face;
    expect(lf).toMatchObject({ status: 'LABELED', boxSource: 'DRAWN', box: { x: 0, y: 10, w: 50, h: 70 }, labels: { ageBin: 3 }, version: 1 });
    const twice = await draw({ box: { x: -10, y: 10, w: 60, h: 70 }, gender: 'FEMALE', age: 3, requestId: 'draw-0001' });
    expect(twice.status).toBe(200);
    expect((await twice.json()).face.id).toBe(lf.id);

    const unlabeled = (await (await draw({ box: { x: 200, y: 100, w: 40, h: 40 } })).json()).face;
    expect(unlabeled).toMatchObject({ status: 'PREDICTED', why: 'drawn by hand: the detector missed this face' });
    const served = await nextFace(prisma, other.id, { rng: () => 0.99 });
    expect(served.face?.id).toBe(unlabeled.id);
    expect((await draw({ box: { x: 1, y: 1, w: 1, h: 30 } })).status).toBe(400);

    const view = await (await getRoute(request(`/api/faces/${lf.id}`, { cookie: other.cookie }), ctx({ id: lf.id }))).json();
    expect(view.others.map((o: { id: string }) => o.id)).toEqual([unlabeled.id]);
    expect(view.history.map((h: { action: string }) => h.action)).toEqual(['CREATE']);

    const del = (id: string, query: string) => deleteRoute(request(`/api/faces/${id}?${query}`, { method: 'DELETE', cookie: ann.cookie }), ctx({ id }));
    expect((await del(lf.id, 'version=7')).status).toBe(409);
    const gone = await del(lf.id, 'version=1&requestId=del-000001');
    expect(await gone.json()).toEqual({ deleted: lf.id, replayed: false });
    expect(await (await del(lf.id, 'version=1&requestId=del-000001')).json()).toEqual({ deleted: lf.id, replayed: true });
    expect((await del(lf.id, 'version=1')).status).toBe(410);
    const trail = await prisma.labelEvent.findMany({ where: { imageId: img.id, action: 'DELETE' } });
    expect(trail).toHaveLength(1);
    expect(trail[0].before).toMatchObject({ id: lf.id, gender: 'FEMALE', age: 3 });
  });
});
