import type { PrismaClient } from '@/lib/server/db';
import { insertRows, insertRowsSkippingConflicts, newId, type Column } from './bulk-insert';
import { blobs } from '@/lib/server/blobs';
import { imageKey, thumbKey } from '@/lib/server/storage/storage';
import type { UtkLabels } from './classify-name';
import type { PreparedImage } from './prepare-image';

export type Box = { x: number; y: number; w: number; h: number };
/** IMPORTED = the whole aligned crop; DETECTED = a detector's box (see BoxStrategy). */
export type PlacedBox = Box & { source: 'IMPORTED' | 'DETECTED' };

/** A new image whose blobs are already written; `labels` null = stored without a face. */
export type NewImage = {
  name: string;
  labels: UtkLabels | null;
  box: PlacedBox | null;
  image: PreparedImage;
  /** Why it has no labels (unlabeled images only). */
  reason?: string;
};
/** An image already in the library that has no IMPORTED face yet: it gets the name's labels. */
export type LabelExisting = { name: string; labels: UtkLabels; imageId: string; box: PlacedBox };

export type WriteTarget = { datasetId: string; userId: string | null; now: Date };

export type ChunkOutcome = {
  stored: NewImage[];
  /** New images that turned out to be in the library already (stored concurrently by someone else). */
  raced: NewImage[];
  labelsAdded: LabelExisting[];
};

export function wholeCrop(width: number, height: number): PlacedBox {
  return { x: 0, y: 0, w: width, h: height, source: 'IMPORTED' };
}

export function blobKeys(image: Pick<PreparedImage, 'contentHash' | 'ext' | 'thumbIsImage'>): { storageKey: string; thumbKey: string } {
  const storageKey = imageKey(image.contentHash, image.ext);
  return { storageKey, thumbKey: image.thumbIsImage ? storageKey : thumbKey(image.contentHash) };
}

/**
 * Writes the blobs of a batch of images — each image and, unless it is its own thumbnail, its
 * thumbnail — and resolves once all of them are durable (one sync for the batch).
 */
export async function putBlobs(images: PreparedImage[]): Promise<void> {
  const items: { key: string; data: Uint8Array }[] = [];
  for (const image of images) {
    const keys = blobKeys(image);
    items.push({ key: keys.storageKey, data: image.data });
    if (keys.thumbKey !== keys.storageKey) items.push({ key: keys.thumbKey, data: image.thumb });
  }
  await blobs().putMany(items);
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

const IMAGE_COLUMNS: Column[] = [
  'id', 'contentHash', 'storageKey', 'thumbKey', 'mimeType', 'bytes', 'width', 'height', 'sourceName', 'datasetId', 'uploadedById', 'createdAt',
].map((name) => ({ name }));

function imageValues(id: string, item: NewImage, target: WriteTarget): unknown[] {
  const { image } = item;
  const keys = blobKeys(image);
  return [
    id,
    image.contentHash,
    keys.storageKey,
    keys.thumbKey,
    image.mime,
    image.bytes,
    image.width,
    image.height,
    item.name.slice(0, 1024),
    target.datasetId,
    target.userId,
    target.now,
  ];
}

type FacePlan = { imageId: string; name: string; labels: UtkLabels; box: PlacedBox };

const FACE_COLUMNS: Column[] = [
  { name: 'id' },
  { name: 'imageId' },
  { name: 'x' },
  { name: 'y' },
  { name: 'w' },
  { name: 'h' },
  { name: 'boxSource', pgCast: '"BoxSource"' },
  { name: 'gender', pgCast: '"Gender"' },
  { name: 'age' },
  { name: 'ageBin' },
  { name: 'race', pgCast: '"Race"' },
  { name: 'status', pgCast: '"FaceStatus"' },
  { name: 'labeledById' },
  { name: 'labeledAt' },
  { name: 'createdAt' },
  { name: 'updatedAt' },
];

function faceValues(id: string, f: FacePlan, target: WriteTarget): unknown[] {
  const { box, labels } = f;
  return [id, f.imageId, box.x, box.y, box.w, box.h, box.source, labels.gender, labels.age, labels.ageBin, labels.race, 'IMPORTED', target.userId, target.now, target.now, target.now];
}

const EVENT_COLUMNS: Column[] = [
  { name: 'faceId' },
  { name: 'imageId' },
  { name: 'userId' },
  { name: 'action' },
  { name: 'after', pgCast: 'jsonb' },
  { name: 'faceVersion' },
  { name: 'createdAt' },
];

/** The LabelEvent `after` of an import: the labels, the box and where they came from. */
export function importEventAfter(f: Pick<FacePlan, 'name' | 'labels' | 'box'>) {
  const { source, ...box } = f.box;
  return { ...f.labels, status: 'IMPORTED', box, boxSource: source, from: 'utkface-name', sourceName: f.name.slice(0, 1024) };
}

/** Faces (version 1) + their IMPORT events, inside the caller's transaction. */
async function createFaces(tx: Tx, plans: FacePlan[], target: WriteTarget): Promise<void> {
  if (plans.length === 0) return;
  const ids = plans.map(() => newId(target.now.getTime()));
  await insertRows(tx, 'Face', FACE_COLUMNS, plans.map((p, i) => faceValues(ids[i], p, target)));
  await insertRows(
    tx,
    'LabelEvent',
    EVENT_COLUMNS,
    plans.map((p, i) => [ids[i], p.imageId, target.userId, 'IMPORT', JSON.stringify(importEventAfter(p)), 1, target.now]),
  );
}

/** Keeps only the images that still have no IMPORTED face (another import may have added one). */
async function stillUnlabeled(tx: Tx, items: LabelExisting[]): Promise<LabelExisting[]> {
  if (items.length === 0) return [];
  const labeled = await tx.face.findMany({
    where: { imageId: { in: items.map((i) => i.imageId) }, status: 'IMPORTED' },
    select: { imageId: true },
  });
  const has = new Set(labeled.map((f) => f.imageId));
  return items.filter((i) => !has.has(i.imageId));
}

/**
 * Writes one chunk of an import in ONE transaction: the image rows, one IMPORTED face per labeled
 * image and its IMPORT LabelEvent — all or nothing, so an image is never left with half its
 * labels. Blobs were written (and made durable) before. An image that a concurrent upload or
 * import stored first is skipped by the INSERT (ON CONFLICT DO NOTHING) and counted as `raced`;
 * if it has no IMPORTED face yet, the name's labels are added to it.
 */
export async function writeImportChunk(
  prisma: PrismaClient,
  fresh: NewImage[],
  existing: LabelExisting[],
  target: WriteTarget,
): Promise<ChunkOutcome> {
  return prisma.$transaction(
    async (tx) => {
      const ids = fresh.map(() => newId(target.now.getTime()));
      const inserted = fresh.length
        ? await insertRowsSkippingConflicts(tx, 'Image', IMAGE_COLUMNS, fresh.map((f, i) => imageValues(ids[i], f, target)), 'contentHash', 'contentHash')
        : new Set<string>();
      const stored: NewImage[] = [];
      const raced: NewImage[] = [];
      const plans: FacePlan[] = [];
      fresh.forEach((f, i) => {
        if (!inserted.has(f.image.contentHash)) return void raced.push(f);
        stored.push(f);
        if (f.labels && f.box) plans.push({ imageId: ids[i], name: f.name, labels: f.labels, box: f.box });
      });
      const racedLabeled = raced.filter((f) => f.labels);
      const winners = racedLabeled.length
        ? await tx.image.findMany({
            where: { contentHash: { in: racedLabeled.map((f) => f.image.contentHash) } },
            select: { id: true, contentHash: true, width: true, height: true },
          })
        : [];
      const winnerByHash = new Map(winners.map((w) => [w.contentHash, w]));
      const toLabel = [...existing];
      for (const f of racedLabeled) {
        const w = winnerByHash.get(f.image.contentHash);
        if (w && f.labels) toLabel.push({ name: f.name, labels: f.labels, imageId: w.id, box: wholeCrop(w.width, w.height) });
      }
      const labelsAdded = await stillUnlabeled(tx, toLabel);
      for (const e of labelsAdded) plans.push({ imageId: e.imageId, name: e.name, labels: e.labels, box: e.box });
      await createFaces(tx, plans, target);
      return { stored, raced, labelsAdded };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** After a failed chunk: removes the blobs of images that no row references (best effort). */
export async function removeUnreferencedBlobs(prisma: PrismaClient, images: PreparedImage[]): Promise<void> {
  if (images.length === 0) return;
  const owned = await prisma.image
    .findMany({ where: { contentHash: { in: images.map((i) => i.contentHash) } }, select: { contentHash: true } })
    .catch(() => null);
  if (!owned) return; // the database is unreachable: leave them to the orphan sweep
  const keep = new Set(owned.map((o) => o.contentHash));
  await Promise.allSettled(
    images
      .filter((i) => !keep.has(i.contentHash))
      .flatMap((i) => [...new Set(Object.values(blobKeys(i)))].map((key) => blobs().delete(key))),
  );
}
