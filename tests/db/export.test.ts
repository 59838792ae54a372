import { readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as startRoute, GET as listRoute } from '@/app/api/exports/route';
import { DELETE as cancelRoute } from '@/app/api/exports/[id]/route';
import { DELETE as deleteImageRoute } from '@/app/api/images/[id]/route';
import { GET as downloadRoute } from '@/app/api/exports/[id]/download/route';
import { POST as upload } from '@/app/api/uploads/route';
import { ageToBin } from '@/lib/domain/age-bins';
import { parseUtkName } from '@/lib/domain/utkface-name';
import { config } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';
import { handlers } from '@/workers/handlers';
import { runOneJob } from '@/workers/runner';
import { photoJpeg } from '../unit/ingest/helpers';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let curator: string;
let curatorId: string;
let singleId: string;

function readZip(buffer: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry) =>
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(files));
      zip.readEntry();
    });
  });
}

async function uploadPhoto(name: string, width: number, height: number): Promise<string> {
  const res = await upload(
    request('/api/uploads', {
      method: 'POST',
      cookie: curator,
      headers: { 'x-file-name': name, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(await photoJpeg(width, height)),
    }),
    ctx(),
  );
  return (await res.json()).results[0].imageId;
}

async function addFace(imageId: string, data: Record<string, unknown>) {
  return prisma.face.create({
    data: { imageId, x: 40, y: 30, w: 80, h: 100, status: 'LABELED', labeledById: curatorId, labeledAt: new Date('2026-01-02T03:04:05.006Z'), ...data },
  });
}

async function start(body: object = {}) {
  return startRoute(request('/api/exports', { method: 'POST', cookie: curator, body }), ctx());
}

beforeAll(async () => {
  prisma = await startTestApp();
  const user = await createUser('CURATOR');
  curatorId = user.id;
  curator = await sessionCookie(user);
  const group = await uploadPhoto('group.jpg', 400, 300);
  const single = await uploadPhoto('single.jpg', 200, 200);
  singleId = single;
  await addFace(group, { gender: 'FEMALE', age: 31, ageBin: ageToBin(31), race: 'ASIAN', status: 'REVIEWED' });
  await addFace(group, { x: 300, y: 200, w: 150, h: 150, gender: 'MALE', age: 8, ageBin: ageToBin(8), race: 'BLACK' }); // runs off the edge
  await addFace(group, { gender: 'NONBINARY', age: 25, ageBin: ageToBin(25), race: 'WHITE' });
  await addFace(single, { x: 0, y: 0, w: 200, h: 200, gender: 'MALE', age: 70, ageBin: ageToBin(70), race: 'UNKNOWN' });
  await addFace(single, { gender: 'FEMALE', age: 50, race: 'INDIAN', status: 'PREDICTED' }); // not a chosen status
  await addFace(single, { gender: null, age: null, race: null, status: 'SKIPPED' });
});
afterAll(stopTestApp);

describe('UTKFace export job', () => {
  let exportId: string;

  it('queues an export and refuses the same one twice while it is pending', async () => {
    const res = await start();
    expect(res.status).toBe(202);
    exportId = (await res.json()).export.id;
    const twice = await start();
    expect(twice.status).toBe(409);
    expect((await twice.json()).error.details.exportId).toBe(exportId);
    const early = await downloadRoute(request(`/api/exports/${exportId}/download`, { cookie: curator }), ctx({ id: exportId }));
    expect(early.status).toBe(409);
  });

  it('writes UTKFace-named crops for encodable faces and a manifest of every exported face', async () => {
    expect(await runOneJob(prisma, 'test-worker', handlers)).toBe(true);
    const record = await prisma.export.findUniqueOrThrow({ where: { id: exportId }, include: { job: true } });
    expect(record.job.status).toBe('SUCCEEDED');
    expect(record.counts).toMatchObject({ faces: 4, utkFiles: 2, manifestOnly: 2, images: 2 });

    const res = await downloadRoute(request(`/api/exports/${exportId}/download`, { cookie: curator }), ctx({ id: exportId }));
    expect(res.headers.get('content-type')).toBe('application/zip');
    const files = await readZip(Buffer.from(await res.arrayBuffer()));
    const crops = [...files.keys()].filter((n) => n.endsWith('.jpg')).sort();
    expect(crops).toHaveLength(2);
    const labels = crops.map((n) => parseUtkName(n)).map((p) => (p.ok ? [p.value.age, p.value.gender, p.value.race] : p.reason));
    expect(labels).toEqual(expect.arrayContaining([[31, 'FEMALE', 'ASIAN'], [8, 'MALE', 'BLACK']]));
    for (const name of crops) {
      const meta = await sharp(files.get(name)!).metadata();
      expect([meta.width, meta.height, meta.format]).toEqual([200, 200, 'jpeg']);
      expect(meta.exif).toBeUndefined();
      expect(files.get(name)!.includes(Buffer.from('Exif\0'))).toBe(false); // no APP1 EXIF segment at all
    }

    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    expect(manifest).toHaveLength(4);
    const nonbinary = manifest.find((r: { gender: string }) => r.gender === 'NONBINARY');
    expect(nonbinary.file).toBe('');
    expect(nonbinary.excluded_reason).toMatch(/NONBINARY/);
    const unknownRace = manifest.find((r: { race: string }) => r.race === 'UNKNOWN');
    expect(unknownRace.excluded_reason).toMatch(/race unknown/);
    for (const row of manifest) {
      expect(['train', 'val', 'test']).toContain(row.split);
      expect(row.labeled_by).toBe('curator@test.local');
    }
    const sameImage = manifest.filter((r: { image_id: string }) => r.image_id === manifest[0].image_id);
    expect(new Set(sameImage.map((r: { split: string }) => r.split)).size).toBe(1);

    const csv = files.get('manifest.csv')!.toString().trim().split('\n');
    expect(csv[0]).toMatch(/^file,excluded_reason,split,face_id/);
    expect(csv).toHaveLength(5);
    expect(await prisma.exportItem.count({ where: { exportId } })).toBe(2);
  });

  it('filters by status and annotator', async () => {
    const res = await start({ filters: { statuses: ['REVIEWED'] } });
    const id = (await res.json()).export.id;
    await runOneJob(prisma, 'test-worker', handlers);
    expect((await prisma.export.findUniqueOrThrow({ where: { id } })).counts).toMatchObject({ faces: 1, utkFiles: 1 });
    const none = await start({ filters: { annotatorId: 'nobody' } });
    const noneId = (await none.json()).export.id;
    await runOneJob(prisma, 'test-worker', handlers);
    expect((await prisma.export.findUniqueOrThrow({ where: { id: noneId } })).counts).toMatchObject({ faces: 0 });
  });

  it('filters by dataset and labeled date range', async () => {
    const uploads = await prisma.image.findUniqueOrThrow({ where: { id: singleId }, select: { datasetId: true } });
    const other = await prisma.dataset.create({ data: { name: 'Empty for export' } });
    const facesOf = async (filters: object) => {
      const id = (await (await start({ filters })).json()).export.id;
      expect(await runOneJob(prisma, 'test-worker', handlers)).toBe(true);
      return ((await prisma.export.findUniqueOrThrow({ where: { id } })).counts as { faces: number }).faces;
    };
    // The four labeled faces of the default statuses were all labeled at 2026-01-02T03:04:05.006Z.
    expect(await facesOf({ datasetId: uploads.datasetId })).toBe(4);
    expect(await facesOf({ datasetId: other.id })).toBe(0);
    expect(await facesOf({ from: '2026-01-02', to: '2026-01-03' })).toBe(4);
    expect(await facesOf({ from: '2026-01-02T03:04:06Z' })).toBe(0);
    expect(await facesOf({ to: '2026-01-02T03:04:05.006Z' })).toBe(0); // `to` is exclusive
  });

  it('cancelled before it runs: never starts, offers no file', async () => {
    const res = await start({ options: { size: 64 } });
    const id = (await res.json()).export.id;
    const cancel = await cancelRoute(request(`/api/exports/${id}`, { method: 'DELETE', cookie: curator }), ctx({ id }));
    expect((await cancel.json()).outcome).toBe('cancelled');
    expect(await runOneJob(prisma, 'test-worker', handlers)).toBe(false);
    const record = await prisma.export.findUniqueOrThrow({ where: { id }, include: { job: true } });
    expect(record.job.status).toBe('CANCELLED');
    expect(record.storageKey).toBeNull();
  });

  it('leaves no temp files behind and lists exports for curators only', async () => {
    const tmp = path.join(config().storageDir, '.tmp');
    expect(readdirSync(tmp)).toEqual([]);
    const list = await (await listRoute(request('/api/exports', { cookie: curator }), ctx())).json();
    expect(list.exports.length).toBeGreaterThanOrEqual(4);
    const annotator = await sessionCookie(await createUser('ANNOTATOR'));
    expect((await listRoute(request('/api/exports', { cookie: annotator }), ctx())).status).toBe(403);
  });

  it('hard-deleting an image marks the exports that held it, and only those', async () => {
    const { contentHash } = await prisma.image.findUniqueOrThrow({ where: { id: singleId }, select: { contentHash: true } });
    const holders = new Set((await prisma.exportItem.findMany({ where: { contentHash }, select: { exportId: true } })).map((i) => i.exportId));
    const all = await prisma.export.findMany({ where: { storageKey: { not: null } }, select: { id: true } });
    expect(holders.size).toBeGreaterThan(0);
    expect(all.some((e) => !holders.has(e.id))).toBe(true);
    expect(await prisma.export.count({ where: { containsPurged: true } })).toBe(0);
    const res = await deleteImageRoute(request(`/api/images/${singleId}`, { method: 'DELETE', cookie: curator }), ctx({ id: singleId }));
    expect(res.status).toBe(200);
    for (const e of await prisma.export.findMany({ select: { id: true, containsPurged: true } })) {
      expect(e.containsPurged).toBe(holders.has(e.id));
    }
    const listed = (await (await listRoute(request('/api/exports', { cookie: curator }), ctx())).json()).exports as { id: string; containsPurged: boolean }[];
    expect(listed.filter((e) => e.containsPurged).map((e) => e.id).sort()).toEqual([...holders].sort());
  });
});
