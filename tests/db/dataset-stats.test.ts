import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as statsRoute } from '@/app/api/datasets/stats/route';
import { histogramMedian } from '@/lib/api/datasets/dataset-stats';
import { ageToBin } from '@/lib/domain/age-bins';
import type { PrismaClient } from '@/lib/server/db';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let cookie: string;
let datasetId: string;

beforeAll(async () => {
  prisma = await startTestApp();
  cookie = await sessionCookie(await createUser('ANNOTATOR'));
  const dataset = await prisma.dataset.create({ data: { name: 'stats' } });
  const other = await prisma.dataset.create({ data: { name: 'other' } });
  datasetId = dataset.id;
  const mkImage = (i: number, ds: string) =>
    prisma.image.create({
      data: { contentHash: String(i).padStart(64, '0'), storageKey: 'k', thumbKey: 't', mimeType: 'image/jpeg', bytes: 1, width: 100, height: 100, sourceName: `${i}.jpg`, datasetId: ds },
    });
  const ages = [1, 25, 25, 30, 80];
  for (const [i, age] of ages.entries()) {
    const image = await mkImage(i, dataset.id);
    await prisma.face.create({
      data: {
        imageId: image.id, x: 0, y: 0, w: 100, h: 100, age, ageBin: ageToBin(age), gender: i % 2 ? 'FEMALE' : 'MALE',
        race: i === 4 ? 'UNKNOWN' : 'ASIAN', status: i === 0 ? 'REVIEWED' : 'LABELED', predGender: 'MALE', predAgeBin: ageToBin(age + 3),
      },
    });
  }
  const unlabeled = await mkImage(99, dataset.id);
  await prisma.face.create({ data: { imageId: unlabeled.id, x: 0, y: 0, w: 10, h: 10, predGender: 'FEMALE', predAgeBin: 3 } });
  const elsewhere = await mkImage(100, other.id);
  await prisma.face.create({ data: { imageId: elsewhere.id, x: 0, y: 0, w: 10, h: 10, age: 60, gender: 'MALE', status: 'IMPORTED' } });
});
afterAll(stopTestApp);

describe('dataset statistics', () => {
  it('finds the median of a histogram', () => {
    expect(histogramMedian([0, 1, 0, 1, 1])).toBe(3);
    expect(histogramMedian([2, 0, 0, 1])).toBe(0);
    expect(histogramMedian([0, 0])).toBeNull();
  });

  it('counts statuses, labels and predictions of one dataset', async () => {
    const res = await statsRoute(request(`/api/datasets/stats?datasetId=${datasetId}`, { cookie }), ctx());
    expect(res.status).toBe(200);
    const s = await res.json();
    expect(s.images).toBe(6);
    expect(s.faces).toBe(6);
    expect(s.status).toEqual({ REVIEWED: 1, LABELED: 4, PREDICTED: 1 });
    expect(s.gender.labels).toEqual({ MALE: 3, FEMALE: 2, none: 1 });
    expect(s.gender.predictions).toEqual({ MALE: 5, FEMALE: 1 });
    expect(s.race.labels).toMatchObject({ ASIAN: 4, UNKNOWN: 1 });
    expect(s.age.median).toBe(25);
    expect(s.age.byYear[25]).toBe(2);
    expect(s.age.labelBins.reduce((a: number, b: number) => a + b, 0)).toBe(5);
    expect(s.age.predictionBins.reduce((a: number, b: number) => a + b, 0)).toBe(6);
    // Side by side: the labels' median bin (ages 1, 25, 25, 30, 80) and the predictions' (bins of 4, 28, 28, 33, 83 and bin 3).
    expect(s.age.labelMedianBin).toBe(ageToBin(25));
    expect(s.age.predictionMedianBin).toBe(ageToBin(28));
  });

  it('covers every dataset without a filter', async () => {
    const s = await (await statsRoute(request('/api/datasets/stats', { cookie }), ctx())).json();
    expect(s.faces).toBe(7);
    expect(s.status.IMPORTED).toBe(1);
  });
});
