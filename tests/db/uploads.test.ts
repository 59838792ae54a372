import { readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as upload } from '@/app/api/uploads/route';
import { GET as listImages } from '@/app/api/images/route';
import { GET as thumb } from '@/app/api/images/[id]/thumb/route';
import { DELETE as deleteImage } from '@/app/api/images/[id]/route';
import { config } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';
import { buildZip } from '../unit/ingest/zip-fixture';
import { hugePngHeader, photoJpeg, yazlZip } from '../unit/ingest/helpers';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let cookie: string;
let curatorCookie: string;

beforeAll(async () => {
  prisma = await startTestApp();
  cookie = await sessionCookie(await createUser('ANNOTATOR'));
  curatorCookie = await sessionCookie(await createUser('CURATOR'));
});
afterAll(stopTestApp);

function send(name: string, body: Uint8Array | ReadableStream<Uint8Array>, extra: Record<string, string> = {}) {
  return upload(
    request('/api/uploads', {
      method: 'POST',
      cookie,
      headers: { 'x-file-name': encodeURIComponent(name), 'content-type': 'application/octet-stream', ...extra },
      body,
    }),
    ctx(),
  );
}

function storedFiles(): string[] {
  const root = config().storageDir;
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  try {
    return walk(root).filter((f) => !f.includes(`${path.sep}.`));
  } catch {
    return [];
  }
}

async function snapshot() {
  return { rows: await prisma.image.count(), files: storedFiles().length };
}

describe('uploads', () => {
  it('stores a photo once, strips its metadata, and reports a re-upload as a duplicate', async () => {
    const jpeg = await sharp(await photoJpeg(300, 200))
      .withExif({ IFD0: { Make: 'Spy', Copyright: 'me' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .jpeg()
      .toBuffer();
    const first = await send('holiday/beach.jpg', jpeg);
    expect(first.status).toBe(200);
    const report = await first.json();
    expect(report.counts.stored).toBe(1);
    const image = await prisma.image.findUniqueOrThrow({ where: { id: report.results[0].imageId } });
    expect(image).toMatchObject({ width: 300, height: 200, sourceName: 'holiday/beach.jpg', mimeType: 'image/jpeg' });
    const stored = await sharp(path.join(config().storageDir, image.storageKey)).metadata();
    expect(stored.exif).toBeUndefined();

    const again = await (await send('copy-of-beach.jpg', jpeg)).json();
    expect(again.counts).toMatchObject({ stored: 0, duplicate: 1 });
    expect(again.results[0].imageId).toBe(image.id);
  });

  it('serves thumbnails with a fixed type and nosniff', async () => {
    const { images } = await (await listImages(request('/api/images', { cookie }), ctx())).json();
    const res = await thumb(request(`/api/images/${images[0].id}/thumb`, { cookie }), ctx({ id: images[0].id }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('rejects non-image bytes named .jpg, a truncated JPEG and a 30000×30000 PNG, storing nothing', async () => {
    const before = await snapshot();
    const fake = await send('invoice.jpg', new TextEncoder().encode('<html><script>alert(1)</script></html>'));
    expect(fake.status).toBe(422);
    expect((await fake.json()).results[0].code).toBe('NOT_AN_IMAGE');

    const full = await photoJpeg(400, 300);
    const truncated = await send('cut.jpg', full.subarray(0, Math.floor(full.length / 2)));
    expect(truncated.status).toBe(422);
    expect((await truncated.json()).results[0].code).toBe('CORRUPT');

    const bomb = await send('huge.png', hugePngHeader(30000, 30000));
    expect(bomb.status).toBe(422);
    const bombReport = await bomb.json();
    expect(bombReport.results[0].code).toBe('TOO_MANY_PIXELS');
    expect(bombReport.results[0].message).toMatch(/30000×30000/);
    expect(await snapshot()).toEqual(before);
  });

  it('keeps SQL-ish and HTML file names as plain data', async () => {
    const name = `"; DROP TABLE "Image"; --<img src=x onerror=alert(1)>.jpg`;
    const res = await (await send(name, await photoJpeg(64, 64))).json();
    expect(res.counts.stored).toBe(1);
    const image = await prisma.image.findUniqueOrThrow({ where: { id: res.results[0].imageId } });
    expect(image.sourceName).toBe(name);
    expect(image.storageKey).toMatch(/^images\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg$/);
  });

  it('stores the images of a zip and rejects its zip-slip, nested-archive and non-image entries', async () => {
    const before = await snapshot();
    const inner = await yazlZip([{ name: 'a.txt', data: Buffer.from('x') }]);
    const zip = buildZip([
      { name: 'faces/one.jpg', data: await photoJpeg(120, 120) },
      { name: 'faces/two.jpg', data: await photoJpeg(120, 120) },
      { name: '../../etc/passwd', data: Buffer.from('root:x:0:0') },
      { name: 'nested.zip', data: inner },
      { name: 'notes.txt', data: Buffer.from('not an image') },
    ]);
    const res = await send('batch.zip', zip);
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report.counts).toMatchObject({ stored: 2, rejected: 3 });
    const byName = Object.fromEntries(report.results.map((r: { name: string }) => [r.name, r]));
    expect(byName['../../etc/passwd'].code).toBe('UNSAFE_PATH');
    expect(byName['nested.zip'].code).toBe('NESTED_ARCHIVE');
    expect(byName['notes.txt'].code).toBe('NOT_AN_IMAGE');
    const after = await snapshot();
    expect(after.rows - before.rows).toBe(2);
    expect(after.files - before.files).toBe(4); // image + thumbnail each
    expect(await prisma.image.count({ where: { sourceName: { contains: 'passwd' } } })).toBe(0);
  });

  it('handles a zip of 10,000 tiny entries with a result for each', async () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => ({ name: `tiny/${i}.jpg`, data: Buffer.from([i % 256]), method: 0 }));
    const started = Date.now();
    const res = await send('tiny.zip', buildZip(entries));
    const report = await res.json();
    expect(res.status).toBe(422);
    expect(report.results).toHaveLength(10_000);
    expect(report.counts.rejected).toBe(10_000);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('leaves no rows, files or temp files when the connection drops mid-upload', async () => {
    const before = await snapshot();
    const photo = await photoJpeg(200, 200);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(photo.subarray(0, 1000)));
        controller.error(new Error('connection reset'));
      },
    });
    const res = await send('dropped.jpg', body);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('INTERRUPTED');
    expect(await snapshot()).toEqual(before);
    expect(readdirSync(path.join(config().dataDir, 'tmp', 'uploads'))).toEqual([]);
  });

  it('refuses a body over the size limit before storing anything', async () => {
    process.env.FACET_MAX_UPLOAD_BYTES = '1000';
    process.env.FACET_MAX_ZIP_BYTES = '1000';
    try {
      const res = await send('big.jpg', await photoJpeg(400, 400));
      expect(res.status).toBe(413);
    } finally {
      delete process.env.FACET_MAX_UPLOAD_BYTES;
      delete process.env.FACET_MAX_ZIP_BYTES;
    }
  });

  it('stores concurrent uploads of the same bytes exactly once', async () => {
    const photo = await photoJpeg(90, 90);
    const reports = await Promise.all([1, 2, 3, 4].map(async (i) => (await send(`same-${i}.jpg`, photo)).json()));
    const stored = reports.reduce((n, r) => n + r.counts.stored, 0);
    const dupes = reports.reduce((n, r) => n + r.counts.duplicate, 0);
    expect([stored, dupes]).toEqual([1, 3]);
    expect(new Set(reports.map((r) => r.results[0].imageId)).size).toBe(1);
  });

  it('hard-deletes an image with its files, faces and history content, keeping an audit record', async () => {
    const res = await (await send('to-delete.jpg', await photoJpeg(80, 80))).json();
    const id = res.results[0].imageId;
    const image = await prisma.image.findUniqueOrThrow({ where: { id } });
    const face = await prisma.face.create({ data: { imageId: id, x: 1, y: 1, w: 10, h: 10, age: 30 } });
    await prisma.labelEvent.create({ data: { faceId: face.id, imageId: id, action: 'LABEL', after: { age: 30 }, faceVersion: 1 } });
    const del = await deleteImage(request(`/api/images/${id}`, { method: 'DELETE', cookie: curatorCookie }), ctx({ id }));
    expect(del.status).toBe(200);
    expect(await prisma.image.findUnique({ where: { id } })).toBeNull();
    expect(await prisma.face.count({ where: { imageId: id } })).toBe(0);
    const events = await prisma.labelEvent.findMany({ where: { faceId: null, action: 'LABEL' } });
    expect(events.at(-1)?.after).toEqual({ purged: true });
    expect(storedFiles().some((f) => f.includes(image.contentHash))).toBe(false);
    expect(await prisma.auditEvent.count({ where: { action: 'IMAGE_PURGED', subject: image.contentHash } })).toBe(1);
  });
});
