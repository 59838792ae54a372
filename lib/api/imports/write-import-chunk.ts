import type { PrismaClient } from '@/lib/server/db';
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

/** Writes the image blob and, unless the image is its own thumbnail, the thumbnail blob. */
export async function putBlobs(image: PreparedImage): Promise<void> {
  const keys = blobKeys(image);
  await Promise.all([
    blobs().put(keys.storageKey, image.data),
    keys.thumbKey !== keys.storageKey ? blobs().put(keys.thumbKey, image.thumb) : undefined,
  ]);
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

function imageRow(item: NewImage, target: WriteTarget) {
  const { image } = item;
  return {
    contentHash: image.contentHash,
    ...blobKeys(image),
    mimeType: image.mime,
    bytes: image.bytes,
    width: image.width,
    height: image.height,
    sourceName: item.name.slice(0, 1024),
    datasetId: target.datasetId,
    uploadedById: target.userId,
  };
}

type FacePlan = { imageId: string; name: string; labels: UtkLabels; box: PlacedBox };

function faceRow(f: FacePlan, target: WriteTarget) {
  return {
    imageId: f.imageId,
    x: f.box.x,
    y: f.box.y,
    w: f.box.w,
    h: f.box.h,
    boxSource: f.box.source,
    gender: f.labels.gender,
    age: f.labels.age,
    ageBin: f.labels.ageBin,
    race: f.labels.race,
    status: 'IMPORTED' as const,
    labeledById: target.userId,
    labeledAt: target.now,
  };
}

/** The LabelEvent `after` of an import: the labels, the box and where they came from. */
export function importEventAfter(f: Pick<FacePlan, 'name' | 'labels' | 'box'>) {
  const { source, ...box } = f.box;
  return { ...f.labels, status: 'IMPORTED', box, boxSource: source, from: 'utkface-name', sourceName: f.name.slice(0, 1024) };
}

/** Faces + their IMPORT events, inside the caller's transaction. */
async function createFaces(tx: Tx, plans: FacePlan[], target: WriteTarget): Promise<void> {
  if (plans.length === 0) return;
  const faces = await tx.face.createManyAndReturn({
    data: plans.map((p) => faceRow(p, target)),
    select: { id: true, imageId: true },
  });
  const faceByImage = new Map(faces.map((f) => [f.imageId, f.id]));
  await tx.labelEvent.createMany({
    data: plans.map((p) => ({
      faceId: faceByImage.get(p.imageId) ?? null,
      imageId: p.imageId,
      userId: target.userId,
      action: 'IMPORT',
      after: importEventAfter(p),
      faceVersion: 1,
    })),
  });
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

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === 'P2002';
}

/**
 * Writes one chunk of an import in ONE transaction: the image rows (createMany), one IMPORTED face
 * per labeled image and its IMPORT LabelEvent — all or nothing, so an image is never left with
 * half its labels. Blobs were written before (content-addressed, so a rewrite is harmless). If a
 * concurrent upload stored one of the same images first, the chunk is redone image by image.
 */
export async function writeImportChunk(
  prisma: PrismaClient,
  fresh: NewImage[],
  existing: LabelExisting[],
  target: WriteTarget,
): Promise<ChunkOutcome> {
  try {
    return await prisma.$transaction(
      async (tx) => {
        const rows = fresh.length
          ? await tx.image.createManyAndReturn({ data: fresh.map((f) => imageRow(f, target)), select: { id: true, contentHash: true } })
          : [];
        const idByHash = new Map(rows.map((r) => [r.contentHash, r.id]));
        const labelsAdded = await stillUnlabeled(tx, existing);
        const plans: FacePlan[] = [];
        for (const f of fresh) {
          const imageId = idByHash.get(f.image.contentHash);
          if (!imageId) throw new Error(`image row for ${f.name} was not returned`);
          if (f.labels && f.box) plans.push({ imageId, name: f.name, labels: f.labels, box: f.box });
        }
        for (const e of labelsAdded) plans.push({ imageId: e.imageId, name: e.name, labels: e.labels, box: e.box });
        await createFaces(tx, plans, target);
        return { stored: fresh, raced: [], labelsAdded };
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return writeOneByOne(prisma, fresh, existing, target);
  }
}

async function writeOneByOne(
  prisma: PrismaClient,
  fresh: NewImage[],
  existing: LabelExisting[],
  target: WriteTarget,
): Promise<ChunkOutcome> {
  const outcome: ChunkOutcome = { stored: [], raced: [], labelsAdded: [] };
  for (const f of fresh) {
    const result = await prisma.$transaction(async (tx) => {
      const winner = await tx.image.findUnique({
        where: { contentHash: f.image.contentHash },
        select: { id: true, width: true, height: true },
      });
      if (winner) {
        if (!f.labels) return 'raced' as const;
        const item: LabelExisting = { name: f.name, labels: f.labels, imageId: winner.id, box: wholeCrop(winner.width, winner.height) };
        const todo = await stillUnlabeled(tx, [item]);
        await createFaces(tx, todo, target);
        if (todo.length) outcome.labelsAdded.push(item);
        return 'raced' as const;
      }
      const row = await tx.image.create({ data: imageRow(f, target), select: { id: true } });
      if (f.labels && f.box) await createFaces(tx, [{ imageId: row.id, name: f.name, labels: f.labels, box: f.box }], target);
      return 'stored' as const;
    });
    outcome[result].push(f);
  }
  for (const e of existing) {
    const added = await prisma.$transaction(async (tx) => {
      const todo = await stillUnlabeled(tx, [e]);
      await createFaces(tx, todo, target);
      return todo.length > 0;
    });
    if (added) outcome.labelsAdded.push(e);
  }
  return outcome;
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
