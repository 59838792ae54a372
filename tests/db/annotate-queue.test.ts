import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POST as nextRoute } from '@/app/api/annotate/next/route';
import { DELETE as releaseRoute, POST as renewRoute } from '@/app/api/faces/[id]/lease/route';
import { nextFace, remaining } from '@/lib/api/annotate/next-face';
import { saveLabel } from '@/lib/api/annotate/save-label';
import { DEFAULT_LEASE_MS } from '@/lib/api/annotate/settings';
import { config } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let datasetId: string;
const users: { id: string; cookie: string }[] = [];
let imageCount = 0;

const UNCERTAIN = () => 0.99; // never below the 10% random share: uncertainty order
const later = (ms: number) => new Date(Date.now() + ms);

async function image(width = 640, height = 480) {
  const n = ++imageCount;
  const hash = n.toString(16).padStart(64, '0');
  return prisma.image.create({
    data: { contentHash: hash, storageKey: `images/x/${hash}.jpg`, thumbKey: `thumbs/${hash}.jpg`, mimeType: 'image/jpeg', bytes: 1, width, height, sourceName: `${n}.jpg`, datasetId },
    select: { id: true },
  });
}

async function face(imageId: string, uncertainty: number, extra: Record<string, unknown> = {}) {
  return prisma.face.create({
    data: { imageId, x: 10, y: 10, w: 50, h: 60, predModel: 'm1', predGender: 'FEMALE', predAge: 30, predAgeBin: 14, uncertainty, ...extra },
    select: { id: true },
  });
}

/** n faces, each on its own image, each in its own gender × age-bin cell, uncertainty descending from `top`. */
async function spreadFaces(n: number, top = 0.9) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const img = await image();
    ids.push((await face(img.id, top - i * 0.01, { predGender: i % 2 ? 'MALE' : 'FEMALE', predAgeBin: i % 24 })).id);
  }
  return ids;
}

beforeAll(async () => {
  prisma = await startTestApp();
  datasetId = (await prisma.dataset.findFirstOrThrow()).id;
  for (let i = 0; i < 4; i++) {
    const user = await createUser('ANNOTATOR', `ann${i}@test.local`);
    users.push({ id: user.id, cookie: await sessionCookie(user) });
  }
});
beforeEach(async () => {
  await prisma.labelEvent.deleteMany();
  await prisma.face.deleteMany();
});
afterAll(stopTestApp);

describe('annotation queue', () => {
  it('serves the most uncertain face with its reason, leased to the caller', async () => {
    const img = await image();
    await face(img.id, 0.3);
    const top = await face(img.id, 0.8, { uncertaintyWhy: 'gender uncertain: 0.52' });
    await face(img.id, 0.5);
    process.env.FACET_QUEUE_RANDOM_SHARE = '0';
    const res = await nextRoute(request('/api/annotate/next', { method: 'POST', cookie: users[0].cookie }), ctx()).finally(
      () => delete process.env.FACET_QUEUE_RANDOM_SHARE,
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.face.id).toBe(top.id);
    expect(body.face.version).toBe(1);
    expect(body.face.prediction).toMatchObject({ gender: 'FEMALE', ageBin: 14 });
    expect(body.face.lease.mine).toBe(true);
    expect(body.why).toBe('gender uncertain: 0.52');
    expect(body.reason).toBe('UNCERTAINTY');
    expect(body.image).toMatchObject({ id: img.id, width: 640, height: 480, url: `/api/images/${img.id}/file` });
    expect(body.others).toHaveLength(2);
    expect(body.remaining).toBe(3);
    const stored = await prisma.face.findUniqueOrThrow({ where: { id: body.face.id } });
    expect(stored.leaseOwnerId).toBe(users[0].id);
    expect(Math.abs(stored.leaseExpiresAt!.getTime() - Date.now() - DEFAULT_LEASE_MS)).toBeLessThan(10_000);
  });

  it('gives a user who still holds a lease that face back (resume), and another user the next', async () => {
    const [first, second] = await spreadFaces(3);
    const a = await nextFace(prisma, users[0].id, { rng: UNCERTAIN });
    const again = await nextFace(prisma, users[0].id, { rng: UNCERTAIN });
    expect([a.face?.id, again.face?.id]).toEqual([first, first]);
    expect(again).toMatchObject({ resumed: true, reason: 'RESUME' });
    const b = await nextFace(prisma, users[1].id, { rng: UNCERTAIN });
    expect(b.face?.id).toBe(second);
  });

  it('returns a face whose lease expired to the queue', async () => {
    const [first] = await spreadFaces(2);
    const a = await nextFace(prisma, users[0].id, { rng: UNCERTAIN });
    expect(a.face?.id).toBe(first);
    const b = await nextFace(prisma, users[1].id, { rng: UNCERTAIN, now: later(DEFAULT_LEASE_MS + 1000) });
    expect(b.face?.id).toBe(first);
    expect((await prisma.face.findUniqueOrThrow({ where: { id: first } })).leaseOwnerId).toBe(users[1].id);
    // The first annotator's renewal now fails: the face is someone else's.
    const renew = await renewRoute(request(`/api/faces/${first}/lease`, { method: 'POST', cookie: users[0].cookie }), ctx({ id: first }));
    expect(renew.status).toBe(409);
    expect((await renew.json()).error.code).toBe('LEASE_LOST');
  });

  it('renews a lease while the editor is open and releases it on close', async () => {
    const [first] = await spreadFaces(2);
    await nextFace(prisma, users[0].id, { rng: UNCERTAIN });
    const before = (await prisma.face.findUniqueOrThrow({ where: { id: first } })).leaseExpiresAt!;
    await new Promise((r) => setTimeout(r, 20));
    const renew = await renewRoute(request(`/api/faces/${first}/lease`, { method: 'POST', cookie: users[0].cookie }), ctx({ id: first }));
    expect(renew.status).toBe(200);
    expect(new Date((await renew.json()).leaseExpiresAt).getTime()).toBeGreaterThan(before.getTime());
    const release = await releaseRoute(request(`/api/faces/${first}/lease`, { method: 'DELETE', cookie: users[0].cookie }), ctx({ id: first }));
    expect(await release.json()).toEqual({ released: true });
    expect((await nextFace(prisma, users[1].id, { rng: UNCERTAIN })).face?.id).toBe(first);
  });

  it('keeps faces of one image apart and breaks runs of one predicted cell', async () => {
    const group = await image();
    const g1 = await face(group.id, 0.95, { predGender: 'MALE', predAgeBin: 1 });
    const g2 = await face(group.id, 0.94, { predGender: 'MALE', predAgeBin: 2 });
    const [s1, s2, s3] = await spreadFaces(3, 0.5);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const next = await nextFace(prisma, users[2].id, { rng: UNCERTAIN });
      order.push(next.face!.id);
      await saveLabel(prisma, next.face!.id, users[2].id, { version: next.face!.version, action: 'accept' });
    }
    // g2 waits until its image is no longer among the last 3 faces.
    expect(order).toEqual([g1.id, s1, s2, s3, g2.id]);
  });

  it('serves the random slice from a random position of the queue and records it', async () => {
    const ids = await spreadFaces(10);
    const draws = [0.05, 0.55]; // < 10% → random; then the position: 55% down the queue
    const next = await nextFace(prisma, users[0].id, { rng: () => draws.shift() ?? 0.99 });
    expect(next.face?.id).toBe(ids[5]);
    expect(next).toMatchObject({ reason: 'RANDOM', why: 'random sample (10%)' });
    expect((await prisma.face.findUniqueOrThrow({ where: { id: ids[5] } })).servedReason).toBe('RANDOM');
  });

  it('serves the random slice uniformly also when many faces share one score', async () => {
    for (let i = 0; i < 40; i++) await face((await image()).id, 0.5, { predGender: i % 2 ? 'MALE' : 'FEMALE', predAgeBin: i % 24 });
    const order = await prisma.face.findMany({ where: { status: 'PREDICTED' }, orderBy: { uncertainty: 'desc' }, select: { id: true } });
    const draws = [0.05, 0.9]; // random mode, then 90% down a queue whose window (32) is all one score
    const next = await nextFace(prisma, users[0].id, { rng: () => draws.shift() ?? 0.99 });
    expect(next).toMatchObject({ reason: 'RANDOM' });
    expect(order.findIndex((f) => f.id === next.face?.id)).toBeGreaterThanOrEqual(32);
  });

  it('never serves again, nor resumes, the faces the editor is still saving (exclude)', async () => {
    const ids = await spreadFaces(4);
    const first = await nextFace(prisma, users[0].id, { rng: UNCERTAIN });
    expect(first.face?.id).toBe(ids[0]);
    // The save of ids[0] is in flight: its lease is still live, yet the next claim must move on.
    const second = await nextFace(prisma, users[0].id, { rng: UNCERTAIN, exclude: [ids[0]] });
    expect(second.face?.id).toBe(ids[1]);
    // A later claim without exclude resumes the live lease of the second face, not the first.
    expect((await nextFace(prisma, users[0].id, { rng: UNCERTAIN, exclude: [ids[0]] })).face?.id).toBe(ids[1]);
    const res = await nextRoute(
      request('/api/annotate/next', { method: 'POST', cookie: users[1].cookie, body: { exclude: ['not a valid id!'] } }),
      ctx(),
    );
    expect(res.status).toBe(400);
    const ok = await nextRoute(request('/api/annotate/next', { method: 'POST', cookie: users[1].cookie, body: { exclude: [ids[2]] } }), ctx());
    expect((await ok.json()).face.id).toBe(ids[3]);
  });

  it('counts the faces left exactly for small queues', async () => {
    await spreadFaces(3);
    expect(await remaining(prisma)).toBe(3);
    await prisma.face.updateMany({ data: { status: 'LABELED' } });
    expect(await remaining(prisma)).toBe(0);
  });

  it('says when the queue is empty', async () => {
    const img = await image();
    await face(img.id, 0.5, { status: 'LABELED' });
    expect(await nextFace(prisma, users[0].id)).toEqual({ face: null, remaining: 0 });
  });

  it('never serves one face to two annotators calling at once', async () => {
    const ids = await spreadFaces(12);
    const served: string[] = [];
    await Promise.all(
      users.map(async (user) => {
        for (let round = 0; round < 3; round++) {
          const next = await nextFace(prisma, user.id);
          served.push(next.face!.id);
          await saveLabel(prisma, next.face!.id, user.id, { version: next.face!.version, action: 'skip' });
        }
      }),
    );
    expect(served.sort()).toEqual([...ids].sort());
  });

  it('serves 40 annotators asking at the same moment, each a different face, without QUEUE_BUSY', async () => {
    const ids = await spreadFaces(60);
    const crowd = await Promise.all(
      Array.from({ length: 40 }, (_, i) => prisma.user.create({ data: { email: `crowd${i}@test.local`, passwordHash: 'x' }, select: { id: true } })),
    );
    try {
      const served = await Promise.all(crowd.map((u) => nextFace(prisma, u.id, { rng: UNCERTAIN })));
      const faceIds = served.map((r) => r.face?.id);
      expect(faceIds.every((id) => id && ids.includes(id))).toBe(true);
      expect(new Set(faceIds).size).toBe(40);
    } finally {
      await prisma.face.updateMany({ data: { leaseOwnerId: null, leaseExpiresAt: null } });
      await prisma.user.deleteMany({ where: { id: { in: crowd.map((u) => u.id) } } });
    }
  });

  it('never serves one face to two annotators in racing processes', async () => {
    const ids = await spreadFaces(60);
    const startAt = String(Date.now() + 12_000);
    const claimers = users.slice(0, 3).map(
      (user) =>
        new Promise<string[]>((resolve, reject) => {
          execFile(
            path.resolve('node_modules/.bin/tsx'),
            ['tests/support/claim-faces.ts', user.id, startAt],
            { env: { ...process.env, DATABASE_URL: config().databaseUrl } },
            (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(JSON.parse(stdout))),
          );
        }),
    );
    const perProcess = await Promise.all(claimers);
    expect(perProcess.every((list) => list.length > 0)).toBe(true);
    expect(perProcess.flat().sort()).toEqual([...ids].sort());
  });
});
