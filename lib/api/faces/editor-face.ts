import type { PrismaClient } from '@/lib/server/db';
import { type QueueMode, randomWhy, uncertaintyWhy } from '@/lib/domain/queue-policy';
import { queuePolicy } from '@/lib/api/annotate/settings';
import { notFound } from '@/lib/server/http/errors';

type Db = Pick<PrismaClient, 'face' | 'labelEvent'>;

const who = { select: { id: true, email: true, name: true } } as const;

export const editorFaceSelect = {
  id: true,
  imageId: true,
  x: true,
  y: true,
  w: true,
  h: true,
  boxSource: true,
  predModel: true,
  predDetScore: true,
  predGender: true,
  predGenderConf: true,
  predAge: true,
  predAgeBin: true,
  predAgeBinConf: true,
  predAgeProbs: true,
  predRace: true,
  predRaceConf: true,
  uncertainty: true,
  uncertaintyWhy: true,
  predictedAt: true,
  gender: true,
  age: true,
  ageBin: true,
  race: true,
  status: true,
  labeledAt: true,
  reviewedAt: true,
  version: true,
  leaseOwnerId: true,
  leaseExpiresAt: true,
  servedReason: true,
  updatedAt: true,
  labeledBy: who,
  reviewedBy: who,
  image: { select: { id: true, width: true, height: true, sourceName: true, datasetId: true } },
} as const;

const otherFaceSelect = {
  id: true,
  x: true,
  y: true,
  w: true,
  h: true,
  boxSource: true,
  status: true,
  version: true,
  gender: true,
  age: true,
  ageBin: true,
  race: true,
  predGender: true,
  predAgeBin: true,
  leaseOwnerId: true,
  leaseExpiresAt: true,
} as const;

const eventSelect = {
  id: true,
  action: true,
  createdAt: true,
  faceVersion: true,
  before: true,
  after: true,
  user: who,
} as const;

type FaceRow = NonNullable<Awaited<ReturnType<typeof loadRow>>>;

function loadRow(db: Db, id: string) {
  return db.face.findUnique({ where: { id }, select: editorFaceSelect });
}

/** Why the queue serves (or served) the face, in words. */
export function whyOf(face: { servedReason: string | null; uncertainty: number; uncertaintyWhy: string | null }) {
  return face.servedReason === 'RANDOM' ? randomWhy(queuePolicy()) : uncertaintyWhy(face);
}

export function shapeFace(face: FaceRow, viewerId: string, now = new Date()) {
  const hasPrediction = face.predModel !== null || face.predGender !== null || face.predAge !== null;
  const leaseLive = face.leaseOwnerId !== null && face.leaseExpiresAt !== null && face.leaseExpiresAt > now;
  return {
    id: face.id,
    imageId: face.imageId,
    version: face.version,
    status: face.status,
    box: { x: face.x, y: face.y, w: face.w, h: face.h },
    boxSource: face.boxSource,
    labels: { gender: face.gender, age: face.age, ageBin: face.ageBin, race: face.race },
    prediction: hasPrediction
      ? {
          model: face.predModel,
          detScore: face.predDetScore,
          gender: face.predGender,
          genderConf: face.predGenderConf,
          age: face.predAge,
          ageBin: face.predAgeBin,
          ageBinConf: face.predAgeBinConf,
          ageProbs: face.predAgeProbs,
          race: face.predRace,
          raceConf: face.predRaceConf,
          predictedAt: face.predictedAt,
        }
      : null,
    uncertainty: face.uncertainty,
    servedReason: face.servedReason as QueueMode | null,
    why: whyOf(face),
    labeledBy: face.labeledBy,
    labeledAt: face.labeledAt,
    reviewedBy: face.reviewedBy,
    reviewedAt: face.reviewedAt,
    lease: leaseLive ? { mine: face.leaseOwnerId === viewerId, expiresAt: face.leaseExpiresAt } : null,
    updatedAt: face.updatedAt,
  };
}
export type EditorFace = ReturnType<typeof shapeFace>;

function shapeEvent(e: { id: number; action: string; createdAt: Date; faceVersion: number; before: unknown; after: unknown; user: { id: string; email: string; name: string | null } | null }) {
  const note = e.after && typeof e.after === 'object' && 'note' in e.after ? String((e.after as { note: unknown }).note ?? '') || null : null;
  return { id: e.id, action: e.action, at: e.createdAt, by: e.user, faceVersion: e.faceVersion, before: e.before, after: e.after, note };
}
export type HistoryEntry = ReturnType<typeof shapeEvent>;

/** The latest change to a face: who, when, what (for a 409 and for "sent back" notes). */
export async function lastChange(db: Db, faceId: string) {
  const event = await db.labelEvent.findFirst({ where: { faceId }, orderBy: { id: 'desc' }, select: eventSelect });
  return event ? shapeEvent(event) : null;
}

export async function history(db: Db, faceId: string, take = 50) {
  const events = await db.labelEvent.findMany({ where: { faceId }, orderBy: { id: 'desc' }, take, select: eventSelect });
  return events.map(shapeEvent);
}

/** A face as stored, with the user who last changed it; null when it is gone. */
export async function currentFace(db: Db, id: string, viewerId: string) {
  const row = await loadRow(db, id);
  if (!row) return null;
  return { ...shapeFace(row, viewerId), lastChange: await lastChange(db, id) };
}

const othersOf = (db: Db, imageId: string, id: string) =>
  db.face.findMany({ where: { imageId, id: { not: id } }, select: otherFaceSelect, orderBy: { x: 'asc' } });

/**
 * Everything the editor needs: the face, its image, the other faces on it, the last change.
 * With the image id known (`imageHint`), the three reads run side by side.
 */
export async function editorView(db: Db, id: string, viewerId: string, now = new Date(), imageHint?: string) {
  const [row, hinted, last] = await Promise.all([loadRow(db, id), imageHint ? othersOf(db, imageHint, id) : null, lastChange(db, id)]);
  if (!row) return null;
  const others = hinted && row.imageId === imageHint ? hinted : await othersOf(db, row.imageId, id);
  const { image } = row;
  return {
    face: { ...shapeFace(row, viewerId, now), lastChange: last },
    image: {
      id: image.id,
      width: image.width,
      height: image.height,
      sourceName: image.sourceName,
      datasetId: image.datasetId,
      url: `/api/images/${image.id}/file`,
      thumbUrl: `/api/images/${image.id}/thumb`,
    },
    others: others.map((o) => ({
      id: o.id,
      version: o.version,
      status: o.status,
      box: { x: o.x, y: o.y, w: o.w, h: o.h },
      boxSource: o.boxSource,
      labels: { gender: o.gender, age: o.age, ageBin: o.ageBin, race: o.race },
      prediction: { gender: o.predGender, ageBin: o.predAgeBin },
      leasedByOther: o.leaseOwnerId !== null && o.leaseOwnerId !== viewerId && o.leaseExpiresAt !== null && o.leaseExpiresAt > now,
    })),
  };
}
export type EditorView = NonNullable<Awaited<ReturnType<typeof editorView>>>;

export async function editorViewOrThrow(db: Db, id: string, viewerId: string) {
  const view = await editorView(db, id, viewerId);
  if (!view) throw notFound('No such face (it may have been deleted, with its image)');
  return view;
}
