import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { POST as importRoute } from '@/app/api/imports/utkface/route';
import { POST as upload } from '@/app/api/uploads/route';
import { importUtkface } from '@/lib/api/imports/import-utkface';
import { directorySource } from '@/lib/api/imports/sources';
import type { ImportSummary } from '@/lib/api/imports/summary';
import { ageToBin } from '@/lib/domain/age-bins';
import { config } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';
import { DEFAULT_LIMITS } from '@/lib/server/ingest/limits';
import { sha256Hex } from '@/lib/server/ingest/normalize-image';
import { imageKey } from '@/lib/server/storage/storage';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

const FACES = path.resolve('tests/fixtures/faces');

/** The eight irregular names of the public set (SOURCE.md) and what must be read from them. */
const QUIRKY: Record<string, { age: number; gender: string; race: string }> = {
  '39_1_20170116174525125.jpg.chip.jpg': { age: 39, gender: 'FEMALE', race: 'UNKNOWN' },
  '61_1_20170109142408075.jpg.chip.jpg': { age: 61, gender: 'FEMALE', race: 'UNKNOWN' },
  '61_1_20170109150557335.jpg.chip.jpg': { age: 61, gender: 'FEMALE', race: 'UNKNOWN' },
  '14_0_0_2017011022340900.jpg.chip.jpg': { age: 14, gender: 'MALE', race: 'WHITE' },
  '24_0_1_20170116220224657 .jpg.chip.jpg': { age: 24, gender: 'MALE', race: 'BLACK' },
  '28_1_2_201701161846515488.jpg.chip.jpg': { age: 28, gender: 'FEMALE', race: 'ASIAN' },
  '38_0_1_201701162330572788.jpg.chip.jpg': { age: 38, gender: 'MALE', race: 'BLACK' },
  '55_0_0_20170116232725357jpg.chip.jpg': { age: 55, gender: 'MALE', race: 'WHITE' },
};
const OUT_OF_RANGE: Record<string, string> = {
  '300_0_0_20170109150557335.jpg': 'age 300 out of range 0–120',
  '30_2_0_20170109150557335.jpg': 'gender 2 is not 0 or 1',
  '30_1_9_20170109150557335.jpg': 'race 9 is not 0–4',
  '-5_0_0_20170109150557335.jpg': 'age -5 is negative',
};

let prisma: PrismaClient;
let curator: { id: string; email: string; role: string };
let curatorCookie: string;
let annotatorCookie: string;
let work: string;
let root: string;
/** Folder-relative name → labels expected on its face. */
const expected = new Map<string, { age: number; gender: string; race: string }>();
let fixtures: string[] = [];
let seed = 0;

function face(width = 200, height = 200): Promise<Buffer> {
  seed += 1;
  const background = { r: (seed * 53) % 256, g: (seed * 101) % 256, b: (seed * 197) % 256 };
  return sharp({ create: { width, height, channels: 3, background, noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function put(rel: string, data: Buffer | string, labels?: { age: number; gender: string; race: string }) {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
  if (labels) expected.set(rel, labels);
}

function storedFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  return existsSync(config().storageDir) ? walk(config().storageDir).filter((f) => !f.includes(`${path.sep}.`)) : [];
}

async function counts() {
  return {
    images: await prisma.image.count(),
    faces: await prisma.face.count(),
    events: await prisma.labelEvent.count(),
    datasets: await prisma.dataset.count(),
  };
}

async function zip(entries: [string, Buffer][]): Promise<Buffer> {
  const file = path.join(work, `z-${Math.random().toString(36).slice(2)}.zip`);
  const z = new ZipFile();
  for (const [name, data] of entries) z.addBuffer(data, name);
  z.end();
  await new Promise<void>((resolve, reject) => z.outputStream.pipe(createWriteStream(file)).on('close', () => resolve()).on('error', reject));
  return readFile(file);
}

function send(body: Uint8Array, name: string, opts: { cookie?: string; query?: string; accept?: string } = {}) {
  return importRoute(
    request(`/api/imports/utkface${opts.query ?? ''}`, {
      method: 'POST',
      cookie: opts.cookie ?? curatorCookie,
      headers: {
        'x-file-name': encodeURIComponent(name),
        'content-type': 'application/octet-stream',
        ...(opts.accept ? { accept: opts.accept } : {}),
      },
      body,
    }),
    ctx(),
  );
}

beforeAll(async () => {
  prisma = await startTestApp();
  curator = await createUser('CURATOR');
  curatorCookie = await sessionCookie(curator);
  annotatorCookie = await sessionCookie(await createUser('ANNOTATOR'));
  work = await mkdtemp(path.join(os.tmpdir(), 'facet-import-test-'));
  root = path.join(work, 'UTKFace');

  const first = await face();
  await put('part1/1_0_0_20161219140627985.jpg.chip.jpg', first, { age: 1, gender: 'MALE', race: 'WHITE' });
  await put('part1/26_0_1_20170113132700512.jpg.chip.jpg', await face(), { age: 26, gender: 'MALE', race: 'BLACK' });
  for (const [name, labels] of Object.entries(QUIRKY)) await put(`part1/quirks/${name}`, await face(), labels);
  // Not a clean JPEG: normalized instead of kept (PNG content; a JPEG with EXIF/GPS).
  await put('part2/deeper/30_1_3_20170104235527578.jpg.chip.jpg', await sharp(await face()).png().toBuffer(), {
    age: 30,
    gender: 'FEMALE',
    race: 'INDIAN',
  });
  const exif = await sharp(await face(320, 240))
    .withExif({ IFD0: { Make: 'Spy' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
    .jpeg()
    .toBuffer();
  await put('part2/deeper/45_0_4_20170104235527578.jpg', exif, { age: 45, gender: 'MALE', race: 'OTHER' });
  for (const name of Object.keys(OUT_OF_RANGE)) await put(`part2/bad/${name}`, await face());
  await put('part2/holiday photo.jpg', await face()); // not a UTKFace name
  await put('part2/dup/2_1_2_20170101000000000.jpg', first); // the same bytes as part1's first file
  await put('part2/notes/30_1_2_20170101000000000.jpg', 'this is a text file'); // UTKFace name, not an image
  await put('.DS_Store', 'junk');
  if (existsSync(FACES)) {
    fixtures = readdirSync(FACES).filter((f) => f.includes('.jpg'));
    for (const f of fixtures) {
      await mkdir(path.join(root, 'part3'), { recursive: true });
      await copyFile(path.join(FACES, f), path.join(root, 'part3', f));
      const [age, gender, race] = f.split('_').map(Number);
      expected.set(`part3/${f}`, { age, gender: ['MALE', 'FEMALE'][gender], race: ['WHITE', 'BLACK', 'ASIAN', 'INDIAN', 'OTHER'][race] });
    }
  }
});
afterAll(async () => {
  await stopTestApp();
  await rm(work, { recursive: true, force: true });
});

const source = () => directorySource(root, DEFAULT_LIMITS);

describe('UTKFace import', () => {
  it('dry run: reports what would be imported and writes nothing', async () => {
    const before = await counts();
    const summary = await importUtkface(prisma, source(), { datasetName: 'UTK test', dryRun: true, userId: curator.id });
    expect(summary).toMatchObject({
      dryRun: true,
      dataset: { id: null, name: 'UTK test', created: true },
      imported: expected.size,
      duplicates: 1,
      unlabeled: 1,
      rejectedCount: 5,
      skipped: 1,
      quirksCount: 8,
    });
    expect(await counts()).toEqual(before);
    expect(storedFiles()).toEqual([]);
  });

  it('imports every UTKFace name as one IMPORTED whole-crop face with its LabelEvent', async () => {
    const progress: [number, number][] = [];
    const summary = await importUtkface(prisma, source(), {
      datasetName: 'UTK test',
      userId: curator.id,
      onProgress: (done, total) => progress.push([done, total]),
      batchSize: 5, // several transactions and the pipelined writes
    });
    const total = expected.size + 1 + 1 + 5 + 1;
    expect(summary).toMatchObject({
      dryRun: false,
      dataset: { name: 'UTK test', created: true },
      total,
      imported: expected.size,
      duplicates: 1,
      labelsAdded: 0,
      unlabeled: 1,
      rejectedCount: 5,
      skipped: 1,
      quirksCount: 8,
      conflictsCount: 1,
    });
    expect(summary.error).toBeUndefined();
    expect(summary.conflicts).toEqual([
      {
        name: 'part2/dup/2_1_2_20170101000000000.jpg',
        reason:
          'same image as part1/1_0_0_20161219140627985.jpg.chip.jpg (1, male, White); this name says 2, female, Asian — the first labels are kept',
      },
    ]);
    expect(progress.at(-1)).toEqual([total, total]);
    expect(summary.unlabeledNames).toEqual([{ name: 'part2/holiday photo.jpg', reason: expect.stringMatching(/^not a UTKFace name/) }]);
    expect(Object.fromEntries(summary.rejected.map((r) => [r.name.split('/').pop(), r.reason]))).toEqual({
      ...OUT_OF_RANGE,
      '30_1_2_20170101000000000.jpg': expect.stringContaining('not an image'),
    });
    expect(summary.quirks.map((q) => q.name.split('/').pop()).sort()).toEqual(Object.keys(QUIRKY).sort());
    expect(summary.quirks.find((q) => q.name.endsWith('39_1_20170116174525125.jpg.chip.jpg'))?.quirks).toEqual([
      'missing race (imported as race unknown)',
    ]);

    const dataset = await prisma.dataset.findUniqueOrThrow({ where: { name: 'UTK test' } });
    expect(dataset.id).toBe(summary.dataset.id);
    for (const [name, labels] of expected) {
      const image = await prisma.image.findFirstOrThrow({ where: { sourceName: name }, include: { faces: { include: { events: true } } } });
      expect(image.datasetId).toBe(dataset.id);
      expect(image.uploadedById).toBe(curator.id);
      expect(image.faces).toHaveLength(1);
      const [f] = image.faces;
      expect(f).toMatchObject({
        ...labels,
        ageBin: ageToBin(labels.age),
        status: 'IMPORTED',
        boxSource: 'IMPORTED',
        x: 0,
        y: 0,
        w: image.width,
        h: image.height,
        labeledById: curator.id,
        version: 1,
      });
      expect(f.labeledAt).toBeInstanceOf(Date);
      expect(f.events).toHaveLength(1);
      expect(f.events[0]).toMatchObject({ action: 'IMPORT', imageId: image.id, userId: curator.id, faceVersion: 1 });
      expect(f.events[0].after).toMatchObject({
        ...labels,
        ageBin: ageToBin(labels.age),
        status: 'IMPORTED',
        box: { x: 0, y: 0, w: image.width, h: image.height },
        boxSource: 'IMPORTED',
        sourceName: name,
      });
    }
    // The unlabeled image is stored, without a face; no other image lacks its face.
    const faceless = await prisma.image.findMany({ where: { datasetId: dataset.id, faces: { none: {} } }, select: { sourceName: true } });
    expect(faceless).toEqual([{ sourceName: 'part2/holiday photo.jpg' }]);
    expect(await prisma.face.count()).toBe(expected.size);
    expect(await prisma.labelEvent.count({ where: { action: 'IMPORT' } })).toBe(expected.size);
  });

  it('keeps clean JPEGs byte for byte (their own thumbnail) and normalizes the rest', async () => {
    const storage = config().storageDir;
    const clean = await prisma.image.findFirstOrThrow({ where: { sourceName: 'part1/26_0_1_20170113132700512.jpg.chip.jpg' } });
    expect(readFileSync(path.join(storage, clean.storageKey)).equals(readFileSync(path.join(root, clean.sourceName)))).toBe(true);
    expect(clean.thumbKey).toBe(clean.storageKey);
    const png = await prisma.image.findFirstOrThrow({ where: { sourceName: 'part2/deeper/30_1_3_20170104235527578.jpg.chip.jpg' } });
    expect(png).toMatchObject({ mimeType: 'image/png' });
    expect(png.thumbKey).toMatch(/^thumbs\//);
    const exif = await prisma.image.findFirstOrThrow({ where: { sourceName: 'part2/deeper/45_0_4_20170104235527578.jpg' } });
    expect((await sharp(path.join(storage, exif.storageKey)).metadata()).exif).toBeUndefined();
    expect(existsSync(path.join(storage, exif.thumbKey))).toBe(true);
  });

  it('is idempotent: a second run finds only duplicates and adds nothing', async () => {
    const before = await counts();
    const files = storedFiles().length;
    const summary = await importUtkface(prisma, source(), { datasetName: 'UTK test', userId: curator.id });
    expect(summary).toMatchObject({
      dataset: { created: false },
      imported: 0,
      unlabeled: 0,
      labelsAdded: 0,
      duplicates: expected.size + 2,
      rejectedCount: 5,
      quirksCount: 8,
      conflictsCount: 1,
    });
    expect(summary.conflicts[0].reason).toMatch(/^same image as part1\/1_0_0_20161219140627985\.jpg\.chip\.jpg \(in the library\)/);
    expect(await counts()).toEqual(before);
    expect(storedFiles()).toHaveLength(files);
  });

  it('adds the labels to an image already in the library that has no IMPORTED face', async () => {
    const bytes = await face();
    const uploaded = await upload(
      request('/api/uploads', {
        method: 'POST',
        cookie: annotatorCookie,
        headers: { 'x-file-name': 'plain-upload.jpg', 'content-type': 'application/octet-stream' },
        body: new Uint8Array(bytes),
      }),
      ctx(),
    );
    const imageId = (await uploaded.json()).results[0].imageId as string;
    expect(await prisma.face.count({ where: { imageId } })).toBe(0);

    const res = await send(new Uint8Array(bytes), 'later/42_1_3_20170101000000000.jpg.chip.jpg');
    expect(res.status).toBe(200);
    const summary = (await res.json()) as ImportSummary;
    expect(summary).toMatchObject({ imported: 0, duplicates: 1, labelsAdded: 1, dataset: { name: 'UTKFace' } });
    const faces = await prisma.face.findMany({ where: { imageId }, include: { events: true } });
    expect(faces).toHaveLength(1);
    expect(faces[0]).toMatchObject({ age: 42, gender: 'FEMALE', race: 'INDIAN', status: 'IMPORTED', labeledById: curator.id });
    expect(faces[0].events.map((e) => e.action)).toEqual(['IMPORT']);
    // The image stays where it was uploaded; a repeat adds nothing.
    const again = (await (await send(new Uint8Array(bytes), 'x/42_1_3_20170101000000000.jpg')).json()) as ImportSummary;
    expect(again).toMatchObject({ duplicates: 1, labelsAdded: 0 });
    expect(await prisma.face.count({ where: { imageId } })).toBe(1);
  });

  it('labels an image met first under a non-UTKFace name when a UTKFace-named copy follows', async () => {
    for (const [batchSize, name, counts] of [
      // Same batch: the UTKFace-named copy is the one stored, with its labels.
      [256, 'Copies in one batch', { imported: 1, unlabeled: 0, labelsAdded: 0 }],
      // Later batch: the first copy was stored unlabeled; the later one adds its labels to it.
      [1, 'Copies in separate batches', { imported: 0, unlabeled: 1, labelsAdded: 1 }],
    ] as const) {
      const dir = path.join(work, `copies-${batchSize}`);
      await mkdir(path.join(dir, 'b'), { recursive: true });
      const data = await face();
      await writeFile(path.join(dir, 'a-photo.jpg'), data);
      await writeFile(path.join(dir, 'b', '70_1_1_20170101000000000.jpg'), data);
      const summary = await importUtkface(prisma, directorySource(dir, DEFAULT_LIMITS), { datasetName: name, batchSize });
      expect(summary).toMatchObject({ duplicates: 1, ...counts });
      const image = await prisma.image.findUniqueOrThrow({ where: { contentHash: sha256Hex(data) }, include: { faces: true } });
      expect(image.faces).toHaveLength(1);
      expect(image.faces[0]).toMatchObject({ age: 70, gender: 'FEMALE', race: 'BLACK', status: 'IMPORTED' });
    }
  });

  it('imports a zip with nested folders through the route, as JSON or as a progress stream', async () => {
    const entries: [string, Buffer][] = [
      ['set/a/b/c/20_0_2_20170101000000001.jpg.chip.jpg', await face()],
      ['set/a/21_1_2_20170101000000002.jpg', await face()],
      ['set/x/61_1_20170109150557335.jpg.chip.jpg', await face()],
      ['set/x/not-utk.jpg', await face()],
      ['set/x/200_0_0_20170101000000003.jpg', await face()],
      ['__MACOSX/set/._x.jpg', Buffer.from('junk')],
    ];
    const body = await zip(entries);
    const dry = await send(body, 'set.zip', { query: '?dataset=Zipped&dryRun=1' });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ dryRun: true, imported: 3, unlabeled: 1, rejectedCount: 1, skipped: 1, dataset: { created: true } });
    expect(await prisma.dataset.findUnique({ where: { name: 'Zipped' } })).toBeNull();

    const res = await send(body, 'set.zip', { query: '?dataset=Zipped' });
    expect(res.status).toBe(200);
    const summary = (await res.json()) as ImportSummary;
    expect(summary).toMatchObject({ imported: 3, unlabeled: 1, rejectedCount: 1, skipped: 1, quirksCount: 1, total: 6 });
    expect(summary.rejected).toEqual([{ name: 'set/x/200_0_0_20170101000000003.jpg', reason: 'age 200 out of range 0–120' }]);
    const deep = await prisma.image.findFirstOrThrow({ where: { sourceName: 'set/a/b/c/20_0_2_20170101000000001.jpg.chip.jpg' }, include: { faces: true, dataset: true } });
    expect(deep.dataset.name).toBe('Zipped');
    expect(deep.faces[0]).toMatchObject({ age: 20, gender: 'MALE', race: 'ASIAN', status: 'IMPORTED' });

    const streamed = await send(body, 'set.zip', { query: '?dataset=Zipped', accept: 'application/x-ndjson' });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await streamed.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.type === 'progress')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', summary: { imported: 0, duplicates: 4, labelsAdded: 0 } });
  });

  it('imports a single UTKFace-named image sent on its own', async () => {
    const res = await send(new Uint8Array(await face()), 'folder/33_0_3_20170101000000000.jpg.chip.jpg', { query: '?dataset=Singles' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ imported: 1, total: 1, dataset: { name: 'Singles', created: true } });
    expect(await prisma.face.count({ where: { image: { sourceName: 'folder/33_0_3_20170101000000000.jpg.chip.jpg' }, age: 33 } })).toBe(1);
  });

  it('takes boxes from a detector when given one, and stops cleanly when storing fails', async () => {
    const dir = path.join(work, 'detector');
    const names = Array.from({ length: 8 }, (_, i) => `${50 + i}_1_0_2017010100000000${i}.jpg`);
    const bytes = new Map<string, Buffer>();
    for (const name of names) {
      const data = await face();
      bytes.set(name, data);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, name), data);
    }
    let calls = 0;
    const summary = await importUtkface(prisma, directorySource(dir, DEFAULT_LIMITS), {
      datasetName: 'Detected',
      batchSize: 2,
      concurrency: 1,
      boxes: {
        kind: 'detector',
        detect: async (image) => {
          calls += 1;
          if (calls === 6) throw new Error('detector crashed');
          return calls % 2 ? { x: 10, y: 20, w: image.width - 30, h: image.height - 40 } : null;
        },
      },
    });
    expect(summary.error?.code).toBe('STORE_FAILED');
    expect(summary.imported).toBeGreaterThan(0);
    expect(summary.imported).toBeLessThan(names.length);
    const stored = await prisma.image.findMany({ where: { dataset: { name: 'Detected' } }, include: { faces: true } });
    // Everything counted is complete: one face each, boxes from the detector or the whole crop.
    expect(stored).toHaveLength(summary.imported);
    for (const image of stored) {
      expect(image.faces).toHaveLength(1);
      const [f] = image.faces;
      if (f.boxSource === 'DETECTED') expect(f).toMatchObject({ x: 10, y: 20, w: 170, h: 160 });
      else expect(f).toMatchObject({ boxSource: 'IMPORTED', x: 0, y: 0, w: 200, h: 200 });
    }
    expect(stored.some((i) => i.faces[0].boxSource === 'DETECTED')).toBe(true);
    // No blob is left behind for an image that has no row.
    const storedHashes = new Set(stored.map((i) => i.contentHash));
    for (const data of bytes.values()) {
      const hash = sha256Hex(data);
      expect(existsSync(path.join(config().storageDir, imageKey(hash, 'jpg')))).toBe(storedHashes.has(hash));
    }
    // Running it again completes the rest.
    const rerun = await importUtkface(prisma, directorySource(dir, DEFAULT_LIMITS), { datasetName: 'Detected' });
    expect(rerun).toMatchObject({ imported: names.length - summary.imported, duplicates: summary.imported });
    expect(rerun.error).toBeUndefined();
  });

  it('refuses annotators and anonymous callers, and archives other than zip', async () => {
    const body = new Uint8Array(await face());
    expect((await send(body, '33_0_3_20170101000000000.jpg', { cookie: annotatorCookie })).status).toBe(403);
    const anonymous = await importRoute(
      request('/api/imports/utkface', { method: 'POST', headers: { 'x-file-name': 'a.jpg' }, body }),
      ctx(),
    );
    expect(anonymous.status).toBe(401);
    const gz = await send(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]), 'set.tar.gz');
    expect(gz.status).toBe(422);
    expect((await gz.json()).error.code).toBe('UNSUPPORTED_ARCHIVE');
  });
});
