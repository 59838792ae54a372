import { createWriteStream, type WriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import sharp from 'sharp';
import { exportFaceSelect, exportFaceWhere } from '@/lib/api/exports/face-query';
import { MANIFEST_HEADER, manifestObject, manifestValues } from '@/lib/api/exports/manifest';
import { ExportParams } from '@/lib/api/exports/schemas';
import { squareCrop } from '@/lib/domain/crop-box';
import { csvRow } from '@/lib/domain/csv';
import type { Gender, Race } from '@/lib/domain/labels';
import { formatUtkName, utkDatetime, utkEncodable } from '@/lib/domain/utkface-name';
import { blobs } from '@/lib/server/blobs';
import { type JobContext, JobCancelled } from '../runner';
import { StreamingZip } from './zip-writer';

const BATCH = 200;
const READ_CONCURRENCY = 16;

/** Reads every key, `concurrency` at a time. */
async function readAll(keys: string[], read: (key: string) => Promise<Buffer>, concurrency: number): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, keys.length) }, async () => {
      while (next < keys.length) {
        const key = keys[next++];
        out.set(key, await read(key));
      }
    }),
  );
  return out;
}

function write(stream: WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => (stream.write(text, (e) => (e ? reject(e) : resolve()))));
}

function end(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    stream.end(resolve);
  });
}

function exclusionReason(gender: Gender, race: Race | null): string | null {
  if (gender === 'NONBINARY' || gender === 'UNKNOWN') return `gender ${gender} has no UTKFace code`;
  if (!race || race === 'UNKNOWN') return 'race unknown: UTKFace names need one of five races';
  return utkEncodable(gender, race) ? null : 'not UTKFace-encodable';
}

/** A unique UTKFace name: the datetime field carries milliseconds, bumped on a clash. */
function uniqueName(used: Set<string>, age: number, gender: Gender, race: Race, when: Date): string {
  for (let ms = when.getTime(); ; ms++) {
    const name = formatUtkName(age, gender, race, utkDatetime(new Date(ms)));
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
}

/**
 * A square JPEG crop of one face. A whole-image box on a stored JPEG that already has the
 * requested size (an imported UTKFace chip) is passed through as stored: stored images never
 * carry metadata, and re-encoding would only lose quality and time.
 */
async function cropFace(
  data: Buffer,
  face: { x: number; y: number; w: number; h: number; image: { width: number; height: number; storageKey: string } },
  wholeImage: boolean,
  options: { margin: number; size: number },
): Promise<Buffer> {
  const { width, height, storageKey } = face.image;
  if (wholeImage && width === options.size && height === options.size && storageKey.endsWith('.jpg')) return data;
  const crop = squareCrop(face, width, height, wholeImage ? 0 : options.margin);
  // Two pipelines: sharp would otherwise resize before it pads.
  const square = await sharp(data)
    .extract(crop.extract)
    .extend({ ...crop.pad, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return sharp(square.data, { raw: square.info }).resize(options.size, options.size).jpeg({ quality: 92 }).toBuffer();
}

/**
 * EXPORT job: UTKFace-named square face crops + manifest.csv/json (every field, every face,
 * including those UTKFace cannot name) in one zip, streamed with constant memory, stored only
 * once complete. Cancel or failure leaves no file behind.
 */
export async function runExportJob(ctx: JobContext) {
  const { prisma, job, signal } = ctx;
  const params = ExportParams.parse(job.params);
  const record = await prisma.export.findUniqueOrThrow({ where: { jobId: job.id }, select: { id: true } });
  const where = exportFaceWhere(params.filters);
  const total = await prisma.face.count({ where });
  const store = blobs();
  const [zipPath, csvPath, jsonPath] = await Promise.all([store.tempPath('.zip'), store.tempPath('.csv'), store.tempPath('.json')]);
  const zip = new StreamingZip(zipPath);
  const csv = createWriteStream(csvPath);
  const json = createWriteStream(jsonPath);
  const counts = { faces: 0, images: 0, utkFiles: 0, manifestOnly: 0, cropFailed: 0 };
  const used = new Set<string>();
  const hashes = new Set<string>();
  const exportedAt = new Date();
  try {
    await write(csv, csvRow(MANIFEST_HEADER));
    await write(json, '[\n');
    let cursor: string | undefined;
    for (;;) {
      const faces = await prisma.face.findMany({
        where,
        select: exportFaceSelect,
        orderBy: [{ imageId: 'asc' }, { id: 'asc' }],
        take: BATCH,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      if (faces.length === 0) break;
      // The batch's images are read several at a time: one read per face, awaited in turn, waits
      // on the disk 23,000 times for a UTKFace-sized export.
      const wanted = [...new Set(faces.filter((f) => !exclusionReason(f.gender as Gender, f.race)).map((f) => f.image.storageKey))];
      const images = await readAll(wanted, (key) => store.get(key), READ_CONCURRENCY);
      // Manifest rows are written once per batch: one awaited write per face costs more than the crop.
      let csvChunk = '';
      let jsonChunk = '';
      for (const face of faces) {
        if (signal.aborted) throw new JobCancelled();
        const gender = face.gender as Gender;
        let excluded = exclusionReason(gender, face.race);
        let file: string | null = null;
        if (!excluded) {
          const data = images.get(face.image.storageKey)!;
          const wholeImage = face.x <= 0 && face.y <= 0 && face.w >= face.image.width && face.h >= face.image.height;
          try {
            const jpeg = await cropFace(data, face, wholeImage, params.options);
            file = uniqueName(used, face.age!, gender, face.race as Race, face.labeledAt ?? face.createdAt);
            await zip.add(file, jpeg, exportedAt);
            counts.utkFiles++;
          } catch (error) {
            if (!(error instanceof RangeError)) throw error;
            excluded = `crop failed: ${error.message}`;
            counts.cropFailed++;
          }
        }
        if (!file) counts.manifestOnly++;
        csvChunk += csvRow(manifestValues(face, file, params.options.splitSeed, excluded));
        jsonChunk += `${counts.faces ? ',\n' : ''}${JSON.stringify(manifestObject(face, file, params.options.splitSeed, excluded))}`;
        hashes.add(face.image.contentHash);
        counts.faces++;
      }
      await Promise.all([write(csv, csvChunk), write(json, jsonChunk)]);
      cursor = faces[faces.length - 1].id;
      ctx.progress(total ? counts.faces / total : 1, `${counts.faces} of ${total} faces`);
    }
    await write(json, '\n]\n');
    await Promise.all([end(csv), end(json)]);
    counts.images = hashes.size;
    zip.addFile('manifest.csv', csvPath, exportedAt);
    zip.addFile('manifest.json', jsonPath, exportedAt);
    const bytes = await zip.close();
    const storageKey = `exports/${record.id}.zip`;
    await store.putFile(storageKey, zipPath);
    const hashList = [...hashes];
    for (let i = 0; i < hashList.length; i += 500) {
      await prisma.exportItem.createMany({ data: hashList.slice(i, i + 500).map((contentHash) => ({ exportId: record.id, contentHash })) });
    }
    await prisma.export.update({ where: { id: record.id }, data: { storageKey, bytes, counts, finishedAt: new Date() } });
    return { exportId: record.id, ...counts, bytes };
  } catch (error) {
    zip.destroy();
    csv.destroy();
    json.destroy();
    if ((error as { code?: string }).code === 'ENOSPC') throw new Error('The disk is full; the export was abandoned and nothing was kept.');
    throw error;
  } finally {
    await Promise.all([zipPath, csvPath, jsonPath].map((p) => unlink(p).catch(() => undefined)));
  }
}
