import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '@/lib/ml/model.node';
import type { PrismaClient } from '@/lib/server/db';
import { DESIGN_WHY, prioritiseByDesign } from '@/workers/jobs/design-queue';
import type { JobContext } from '@/workers/runner';
import { createUser, startTestApp, stopTestApp } from '../support/test-app';
import { seedLabeledFaces } from './rounds-fixtures';

const TAG = 'agegender-r0';
let prisma: PrismaClient;
let novel: string[];
let twins: string[];
let nLabeled: number;

const context = (): JobContext => ({ prisma, signal: new AbortController().signal, job: {} as JobContext['job'], progress: () => {}, log: async () => {} });
const manifest = () => readManifest(path.resolve('public/models/agegender/r0'));
const queued = () => prisma.face.findMany({ where: { status: 'PREDICTED' }, orderBy: { uncertainty: 'desc' }, select: { id: true, uncertainty: true, uncertaintyWhy: true } });

beforeAll(async () => {
  prisma = await startTestApp();
  const user = await createUser('CURATOR');
  const labeled = await seedLabeledFaces(prisma, user.id, 1); // the fixture people, one image each
  const predicted = { status: 'PREDICTED' as const, predModel: TAG, predAge: 30, predGender: 'MALE' as const, predGenderConf: 0.9, predDetScore: 0.9, uncertainty: 0.5 };
  // Three people nobody labeled: their faces go back to the queue.
  novel = labeled.slice(0, 3);
  nLabeled = labeled.length - novel.length;
  await prisma.face.updateMany({ where: { id: { in: novel } }, data: { ...predicted, age: null, ageBin: null, gender: null, race: null, labeledAt: null, labeledById: null } });
  // Three twins: a second, unlabeled face with the very box of a labeled face (same crop, same features).
  twins = [];
  for (const id of labeled.slice(3, 6)) {
    const f = await prisma.face.findUniqueOrThrow({ where: { id }, select: { imageId: true, x: true, y: true, w: true, h: true } });
    twins.push((await prisma.face.create({ data: { ...f, ...predicted }, select: { id: true } })).id);
  }
}, 120_000);
afterAll(stopTestApp);

describe('design order of the annotation queue', () => {
  it('serves the faces unlike every labeled one first, above every uncertainty score', async () => {
    const result = await prioritiseByDesign(context(), manifest(), TAG, 6);
    expect(result).toMatchObject({ designed: 6, labeled: nLabeled });
    const order = await queued();
    expect(order.every((f) => f.uncertainty > 1 && f.uncertaintyWhy === DESIGN_WHY)).toBe(true);
    expect(new Set(order.map((f) => f.uncertainty)).size).toBe(6);
    expect(order.slice(0, 3).map((f) => f.id).sort()).toEqual([...novel].sort());
  }, 120_000);

  it('orders only FACET_DESIGN_PICKS faces; earlier picks, re-scored or not, drop back to their uncertainty', async () => {
    await prisma.face.updateMany({ where: { id: twins[0] }, data: { predModel: 'agegender-old' } });
    const result = await prioritiseByDesign(context(), manifest(), TAG, 2);
    expect(result.designed).toBe(2);
    const order = await queued();
    expect(order.filter((f) => f.uncertainty > 1)).toHaveLength(2);
    const stale = order.find((f) => f.id === twins[0])!;
    expect(stale.uncertainty).toBeLessThanOrEqual(1);
    expect(stale.uncertaintyWhy).not.toBe(DESIGN_WHY);
    expect(await prioritiseByDesign(context(), manifest(), TAG, 0)).toMatchObject({ designed: 0, skipped: expect.stringMatching(/off/) });
  }, 120_000);

  it('once FACET_DESIGN_UNTIL faces are labeled, the queue is back to uncertainty order', async () => {
    await prioritiseByDesign(context(), manifest(), TAG, 3);
    expect((await queued()).filter((f) => f.uncertainty > 1)).toHaveLength(3);
    const result = await prioritiseByDesign(context(), manifest(), TAG, 3, nLabeled);
    expect(result).toMatchObject({ designed: 0, labeled: nLabeled, skipped: expect.stringMatching(/labeled.*uncertainty/) });
    expect((await queued()).every((f) => f.uncertainty <= 1 && f.uncertaintyWhy !== DESIGN_WHY)).toBe(true);
  }, 120_000);
});
