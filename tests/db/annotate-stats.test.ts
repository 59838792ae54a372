import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as statsRoute } from '@/app/api/annotate/stats/route';
import { annotateStats } from '@/lib/api/annotate/stats';
import type { PrismaClient } from '@/lib/server/db';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

/**
 * A hand-made scenario (now = 12:30):
 *   dataset 1: f1 A agree, f2 A gender differs, f3 A REVIEWED agree, f4 A SKIPPED, f5 B agree (random
 *              slice), f6 PREDICTED leased, f7 PREDICTED, f8 B LABELED without prediction
 *   dataset 2: g1 B disagree (random slice), g2 PREDICTED, g3 IMPORTED
 *   saves: A at 09:30 (f4), 12:12 (f1), 12:18 (f2), 12:24 (f3); B at 12:25 (f5), 12:26 (g1)
 */
const NOW = new Date('2030-03-01T12:30:00.000Z');
const at = (hhmm: string) => new Date(`2030-03-01T${hhmm}:00.000Z`);

let prisma: PrismaClient;
let A: { id: string; role: 'ANNOTATOR'; cookie: string };
let B: { id: string };
let curator: { id: string; role: 'CURATOR' };
let ds1: string;
let ds2: string;

beforeAll(async () => {
  prisma = await startTestApp();
  const a = await createUser('ANNOTATOR', 'a@test.local');
  A = { id: a.id, role: 'ANNOTATOR', cookie: await sessionCookie(a) };
  B = await createUser('ANNOTATOR', 'b@test.local');
  curator = { id: (await createUser('CURATOR', 'c@test.local')).id, role: 'CURATOR' };
  ds1 = (await prisma.dataset.create({ data: { name: 'One' } })).id;
  ds2 = (await prisma.dataset.create({ data: { name: 'Two' } })).id;
  let n = 0;
  const img = async (datasetId: string) => {
    const hash = (++n).toString(16).padStart(64, 'c');
    return (
      await prisma.image.create({
        data: { contentHash: hash, storageKey: `images/${hash}.jpg`, thumbKey: `t/${hash}.jpg`, mimeType: 'image/jpeg', bytes: 1, width: 100, height: 100, sourceName: 'x.jpg', datasetId },
      })
    ).id;
  };
  const pred = { predModel: 'm', predGender: 'MALE' as const, predAgeBin: 12, predAge: 26 };
  const agree = { gender: 'MALE' as const, age: 26, ageBin: 12 };
  const face = async (datasetId: string, data: Record<string, unknown>, event?: [string, string, string]) => {
    const f = await prisma.face.create({ data: { imageId: await img(datasetId), x: 1, y: 1, w: 20, h: 20, ...data } });
    if (event) await prisma.labelEvent.create({ data: { faceId: f.id, imageId: f.imageId, userId: event[0], action: event[1], faceVersion: 2, createdAt: at(event[2]) } });
    return f;
  };
  const done = (user: string) => ({ status: 'LABELED', labeledById: user, labeledAt: NOW });
  await face(ds1, { ...pred, ...agree, ...done(A.id) }, [A.id, 'ACCEPT', '12:12']);
  await face(ds1, { ...pred, ...agree, gender: 'FEMALE', ...done(A.id) }, [A.id, 'LABEL', '12:18']);
  await face(ds1, { ...pred, ...agree, ...done(A.id), status: 'REVIEWED' }, [A.id, 'LABEL', '12:24']);
  await face(ds1, { ...pred, ...done(A.id), status: 'SKIPPED' }, [A.id, 'SKIP', '09:30']);
  await face(ds1, { ...pred, ...agree, ...done(B.id), servedReason: 'RANDOM' }, [B.id, 'ACCEPT', '12:25']);
  await face(ds1, { ...pred, leaseOwnerId: B.id, leaseExpiresAt: new Date(NOW.getTime() + 60_000) });
  await face(ds1, { ...pred });
  await face(ds1, { ...agree, ...done(B.id) });
  await face(ds2, { ...pred, ...agree, ageBin: 13, age: 29, ...done(B.id), servedReason: 'RANDOM' }, [B.id, 'LABEL', '12:26']);
  await face(ds2, { ...pred });
  await face(ds2, { ...agree, status: 'IMPORTED' });
  // Not work: a curator's review event is not counted as a save.
  await prisma.labelEvent.create({ data: { userId: curator.id, action: 'REVIEW', faceVersion: 3, createdAt: at('12:27') } });
});
afterAll(stopTestApp);

describe('annotation stats', () => {
  it('counts per annotator, per dataset and overall, for a curator', async () => {
    const s = await annotateStats(prisma, curator, {}, NOW);
    expect(s.overall).toMatchObject({
      faces: 11,
      labeled: 6,
      reviewed: 1,
      skipped: 1,
      imported: 1,
      remaining: 3,
      inProgress: 1,
      agreement: { agreed: 3, compared: 5, rate: 0.6 },
      randomSlice: { agreed: 1, compared: 2, rate: 0.5 },
      last24h: 6,
    });
    const byEmail = Object.fromEntries(s.annotators.map((r) => [r.user.email, r]));
    expect(Object.keys(byEmail).sort()).toEqual(['a@test.local', 'b@test.local']);
    expect(byEmail['a@test.local']).toMatchObject({ labeled: 3, reviewed: 1, skipped: 1, agreement: { agreed: 2, compared: 3 }, facesPerHour: 10, last24h: 4 });
    expect(byEmail['a@test.local'].agreement.rate).toBeCloseTo(2 / 3);
    expect(byEmail['a@test.local'].session).toEqual({ faces: 3, startedAt: at('12:12'), endedAt: at('12:24') });
    expect(byEmail['b@test.local']).toMatchObject({ labeled: 3, skipped: 0, agreement: { agreed: 1, compared: 2, rate: 0.5 }, facesPerHour: 60, last24h: 2 });
    const byName = Object.fromEntries(s.datasets.map((d) => [d.dataset.name, d]));
    expect(byName.One).toMatchObject({ faces: 8, labeled: 5, skipped: 1, remaining: 2, agreement: { agreed: 3, compared: 4 }, facesPerHour: 13.8, last24h: 5 });
    expect(byName.Two).toMatchObject({ faces: 3, labeled: 1, imported: 1, remaining: 1, agreement: { agreed: 0, compared: 1, rate: 0 }, facesPerHour: null, last24h: 1 });
    expect(s.series.hours).toHaveLength(24);
    expect(s.series.hours[23]).toBe('2030-03-01T12:00:00.000Z');
    expect(s.series.total[23]).toBe(5);
    expect(s.series.total[20]).toBe(1); // 09:00–10:00
    expect(s.series.total.reduce((a, b) => a + b)).toBe(6);
    expect(s.me).toMatchObject({ labeled: 0, last24h: 0 });
  });

  it('shows an annotator their own figures only', async () => {
    const s = await annotateStats(prisma, A, {}, NOW);
    expect(s.annotators.map((r) => r.user.email)).toEqual(['a@test.local']);
    expect(s.me).toMatchObject({ labeled: 3, facesPerHour: 10 });
    expect(s.series.total.reduce((a, b) => a + b)).toBe(4);
    expect(s.series.mine[23]).toBe(3);
  });

  it('narrows everything to one dataset', async () => {
    const s = await annotateStats(prisma, curator, { datasetId: ds2 }, NOW);
    expect(s.overall).toMatchObject({ faces: 3, labeled: 1, remaining: 1, last24h: 1 });
    expect(s.datasets.map((d) => d.dataset.id)).toEqual([ds2]);
    expect(s.annotators.map((r) => [r.user.email, r.labeled])).toEqual([['b@test.local', 1]]);
    expect(ds1).toBeTruthy();
  });

  it('is served at GET /api/annotate/stats', async () => {
    const res = await statsRoute(request('/api/annotate/stats', { cookie: A.cookie }), ctx());
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.me.user.email).toBe('a@test.local');
    expect(body.series.hours).toHaveLength(24);
  });
});
