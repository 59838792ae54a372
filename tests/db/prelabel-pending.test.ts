import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as pendingRoute } from '@/app/api/prelabel/pending/route';
import { GET as facesRoute } from '@/app/api/images/[id]/faces/route';
import { POST as predictRoute } from '@/app/api/images/[id]/predictions/route';
import { deleteImage } from '@/lib/api/images/delete-image';
import type { PrismaClient } from '@/lib/server/db';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

type Pending = {
  model: string;
  images: { id: string; sourceName: string; width: number; height: number; prelabelModel: string | null }[];
  nextCursor: string | null;
  counts: { total: number; pending: number; done: number };
};

let prisma: PrismaClient;
let annotator: string;
let curator: string;
let uploads: string;
let other: string;
const ids: string[] = [];

const probs = (bin: number) => Array.from({ length: 24 }, (_, i) => (i === bin ? 0.9 : 0.1 / 23));
const face = (x: number) => ({ box: { x, y: 10, w: 50, h: 60 }, detScore: 0.95, pMale: 0.8, ageProbs: probs(10) });

async function pending(query: string, cookie = annotator): Promise<Pending> {
  const res = await pendingRoute(request(`/api/prelabel/pending?${query}`, { cookie }), ctx());
  const body = await res.json();
  if (res.status !== 200) throw Object.assign(new Error(JSON.stringify(body)), { status: res.status });
  return body;
}

async function predict(id: string, model: string, faces = [face(10)]) {
  const res = await predictRoute(request(`/api/images/${id}/predictions`, { method: 'POST', cookie: annotator, body: { model, faces } }), ctx({ id }));
  return res.json();
}

async function allPages(query: string, limit: number) {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 50; n++) {
    const page: Pending = await pending(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...page.images.map((i) => i.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return seen;
}

beforeAll(async () => {
  prisma = await startTestApp();
  const annUser = await createUser('ANNOTATOR');
  annotator = await sessionCookie(annUser);
  curator = await sessionCookie(await createUser('CURATOR'));
  uploads = (await prisma.dataset.upsert({ where: { name: 'Uploads' }, create: { name: 'Uploads' }, update: {} })).id;
  other = (await prisma.dataset.create({ data: { name: 'Other' } })).id;
  for (let i = 0; i < 7; i++) {
    const row = await prisma.image.create({
      data: {
        contentHash: String(i).repeat(64).slice(0, 64),
        storageKey: `k${i}`,
        thumbKey: `t${i}`,
        mimeType: 'image/jpeg',
        bytes: 1,
        width: 400,
        height: 300,
        sourceName: `p${i}.jpg`,
        datasetId: i < 5 ? uploads : other,
        uploadedById: annUser.id,
      },
    });
    ids.push(row.id);
  }
});
afterAll(stopTestApp);

describe('pre-label work list', () => {
  it('lists every image not yet pre-labeled by the model, oldest id first, with counts', async () => {
    const page = await pending('model=agegender-r0');
    expect(page.images.map((i) => i.id)).toEqual([...ids].sort());
    expect(page.images[0]).toMatchObject({ width: 400, height: 300, prelabelModel: null });
    expect(page.counts).toEqual({ total: 7, pending: 7, done: 0 });
    expect(page.nextCursor).toBeNull();
  });

  it('drops images once this model version saved predictions, but keeps those of other versions', async () => {
    await predict(ids[0], 'agegender-r0');
    await predict(ids[1], 'agegender-r0', []); // no face found is still done
    await predict(ids[2], 'agegender-old');
    const page = await pending('model=agegender-r0');
    const listed = page.images.map((i) => i.id);
    expect(listed).not.toContain(ids[0]);
    expect(listed).not.toContain(ids[1]);
    expect(listed).toContain(ids[2]);
    expect(page.images.find((i) => i.id === ids[2])?.prelabelModel).toBe('agegender-old');
    expect(page.counts).toEqual({ total: 7, pending: 5, done: 2 });
    // For the older version, only what it has not done yet.
    expect((await pending('model=agegender-old')).counts).toEqual({ total: 7, pending: 6, done: 1 });
  });

  it('pages with a cursor without gaps or repeats, also while images drop out between pages', async () => {
    const all = await allPages('model=never-run', 3);
    expect(all).toEqual([...ids].sort());
    const first = await pending('model=agegender-r0&limit=2');
    expect(first.images).toHaveLength(2);
    await predict(first.images[0].id, 'agegender-r0'); // done while the client works on this page
    const rest = await pending(`model=agegender-r0&limit=50&cursor=${first.nextCursor}`);
    const seen = [...first.images, ...rest.images].map((i) => i.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(5);
    expect(rest.counts.pending).toBe(4);
  });

  it('filters by dataset and by a list of image ids (the images just uploaded)', async () => {
    const inOther = await pending(`model=agegender-r0&datasetId=${other}`);
    expect(inOther.images.map((i) => i.id).sort()).toEqual([ids[5], ids[6]].sort());
    expect(inOther.counts).toEqual({ total: 2, pending: 2, done: 0 });
    const chosen = await pending(`model=agegender-r0&ids=${ids[0]},${ids[5]},missing-id`);
    expect(chosen.images.map((i) => i.id)).toEqual([ids[5]]);
    expect(chosen.counts).toEqual({ total: 2, pending: 1, done: 1 });
  });

  it('never lists deleted images', async () => {
    const admin = await prisma.user.findFirstOrThrow({ where: { role: 'ADMIN' } });
    await deleteImage(prisma, ids[6], admin.id);
    const page = await pending('model=agegender-r0');
    expect(page.images.map((i) => i.id)).not.toContain(ids[6]);
    expect(page.counts.total).toBe(6);
    const chosen = await pending(`model=agegender-r0&ids=${ids[6]}`);
    expect(chosen).toMatchObject({ images: [], counts: { total: 0, pending: 0, done: 0 } });
  });

  it('rejects bad queries with clear errors and needs a signed-in uploader', async () => {
    await expect(pending('')).rejects.toMatchObject({ status: 400 });
    await expect(pending('model=bad model!')).rejects.toMatchObject({ status: 400 });
    await expect(pending('model=m&limit=0')).rejects.toMatchObject({ status: 400 });
    await expect(pending(`model=m&ids=${Array.from({ length: 201 }, (_, i) => `id${i}`).join(',')}`)).rejects.toMatchObject({ status: 400 });
    await expect(pending('model=m&ids=a;b')).rejects.toMatchObject({ status: 400 });
    expect((await pending('model=m', curator)).counts.total).toBe(6);
    expect((await pendingRoute(request('/api/prelabel/pending?model=m'), ctx())).status).toBe(401);
  });
});

describe('image detail (all faces of an image)', () => {
  it('returns the image with every box, prediction and label', async () => {
    await predict(ids[3], 'agegender-r0', [face(200), face(10)]);
    const res = await facesRoute(request(`/api/images/${ids[3]}/faces`, { cookie: annotator }), ctx({ id: ids[3] }));
    const body = await res.json();
    expect(body.image).toMatchObject({ id: ids[3], width: 400, height: 300, prelabelModel: 'agegender-r0', dataset: { name: 'Uploads' } });
    expect(body.faces.map((f: { box: { x: number } }) => f.box.x)).toEqual([10, 200]);
    expect(body.faces[0]).toMatchObject({
      status: 'PREDICTED',
      label: null,
      prediction: { model: 'agegender-r0', gender: 'MALE', genderConf: 0.8, ageBin: 10, detScore: 0.95 },
    });
    expect(body.faces[0].prediction.ageBinConf).toBeCloseTo(0.9);
    const missing = await facesRoute(request('/api/images/nope/faces', { cookie: annotator }), ctx({ id: 'nope' }));
    expect(missing.status).toBe(404);
  });
});
