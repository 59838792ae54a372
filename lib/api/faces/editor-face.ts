import type { Prisma } from '@/prisma/generated/sqlite/client';
import type { PrismaClient } from '@/lib/server/db';
import { query, type RawDb } from '@/lib/server/db/raw';
import { type QueueMode, randomWhy, uncertaintyWhy } from '@/lib/domain/queue-policy';
import { queuePolicy } from '@/lib/api/annotate/settings';
import { notFound } from '@/lib/server/http/errors';

type Db = Pick<PrismaClient, 'face' | 'labelEvent'> & RawDb;

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

export type FaceRow = Prisma.FaceGetPayload<{ select: typeof editorFaceSelect }>;
type Person = { id: string; email: string; name: string | null };

/** The face columns of editorFaceSelect (raw SQL: one statement instead of Prisma's four). */
const FACE_COLUMNS = Object.keys(editorFaceSelect).filter((k) => (editorFaceSelect as Record<string, unknown>)[k] === true);
const OTHER_COLUMNS = Object.keys(otherFaceSelect);

/**
 * The editor row of a face with who labeled and reviewed it and its image, in one statement;
 * with `me`, also that user's id, email and name (the saver, for the row as it will be after a save).
 */
export async function loadEditorRow(db: RawDb, id: string, me?: string): Promise<(FaceRow & { labeledById: string | null; me: Person | null }) | null> {
  const rows = await query<Record<string, unknown>>(
    db,
    `SELECT ${FACE_COLUMNS.map((c) => `f."${c}"`).join(', ')}, f."labeledById",
       lb."id" AS "lb_id", lb."email" AS "lb_email", lb."name" AS "lb_name",
       rb."id" AS "rb_id", rb."email" AS "rb_email", rb."name" AS "rb_name",
       i."width" AS "i_width", i."height" AS "i_height", i."sourceName" AS "i_sourceName", i."datasetId" AS "i_datasetId"
       ${me ? ', me."id" AS "me_id", me."email" AS "me_email", me."name" AS "me_name"' : ''}
     FROM "Face" f
     JOIN "Image" i ON i."id" = f."imageId"
     LEFT JOIN "User" lb ON lb."id" = f."labeledById"
     LEFT JOIN "User" rb ON rb."id" = f."reviewedById"
     ${me ? 'LEFT JOIN "User" me ON me."id" = ?' : ''}
     WHERE f."id" = ?`,
    ...(me ? [me, id] : [id]),
  );
  const r = rows[0];
  if (!r) return null;
  const face: Record<string, unknown> = {};
  for (const c of FACE_COLUMNS) face[c] = r[c];
  const person = (p: string) => (r[`${p}_id`] == null ? null : { id: r[`${p}_id`] as string, email: r[`${p}_email`] as string, name: (r[`${p}_name`] as string | null) ?? null });
  return {
    ...(face as Omit<FaceRow, 'labeledBy' | 'reviewedBy' | 'image'>),
    labeledById: (r.labeledById as string | null) ?? null,
    labeledBy: person('lb'),
    reviewedBy: person('rb'),
    image: { id: r.imageId as string, width: r.i_width as number, height: r.i_height as number, sourceName: r.i_sourceName as string | null, datasetId: r.i_datasetId as string } as FaceRow['image'],
    me: me ? person('me') : null,
  };
}

function loadRow(db: RawDb, id: string): Promise<FaceRow | null> {
  return loadEditorRow(db, id);
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

export function shapeEvent(e: { id: number; action: string; createdAt: Date; faceVersion: number; before: unknown; after: unknown; user: { id: string; email: string; name: string | null } | null }) {
  const note = e.after && typeof e.after === 'object' && 'note' in e.after ? String((e.after as { note: unknown }).note ?? '') || null : null;
  return { id: e.id, action: e.action, at: e.createdAt, by: e.user, faceVersion: e.faceVersion, before: e.before, after: e.after, note };
}
export type HistoryEntry = ReturnType<typeof shapeEvent>;

/** The latest change to a face: who, when, what (for a 409 and for "sent back" notes). */
export async function lastChange(db: RawDb, faceId: string) {
  const [e] = await query<{ id: number; action: string; createdAt: Date; faceVersion: number; before: unknown; after: unknown; u_id: string | null; u_email: string; u_name: string | null }>(
    db,
    `SELECT e."id", e."action", e."createdAt", e."faceVersion", e."before", e."after", u."id" AS "u_id", u."email" AS "u_email", u."name" AS "u_name"
     FROM "LabelEvent" e LEFT JOIN "User" u ON u."id" = e."userId"
     WHERE e."faceId" = ? ORDER BY e."id" DESC LIMIT 1`,
    faceId,
  );
  if (!e) return null;
  const user = e.u_id === null ? null : { id: e.u_id, email: e.u_email, name: e.u_name ?? null };
  return shapeEvent({ id: Number(e.id), action: e.action, createdAt: e.createdAt, faceVersion: Number(e.faceVersion), before: e.before ?? null, after: e.after ?? null, user });
}

export async function history(db: Db, faceId: string, take = 50) {
  const events = await db.labelEvent.findMany({ where: { faceId }, orderBy: { id: 'desc' }, take, select: eventSelect });
  return events.map(shapeEvent);
}

/** A face as stored, with the user who last changed it; null when it is gone. */
export async function currentFace(db: RawDb, id: string, viewerId: string) {
  const row = await loadRow(db, id);
  if (!row) return null;
  return { ...shapeFace(row, viewerId), lastChange: await lastChange(db, id) };
}

type OtherRow = Prisma.FaceGetPayload<{ select: typeof otherFaceSelect }>;
const othersOf = (db: RawDb, imageId: string, id: string) =>
  query<OtherRow>(db, `SELECT ${OTHER_COLUMNS.map((c) => `"${c}"`).join(', ')} FROM "Face" WHERE "imageId" = ? AND "id" <> ? ORDER BY "x" ASC`, imageId, id);

/**
 * Everything the editor needs: the face, its image, the other faces on it, the last change.
 * With the image id known (`imageHint`), the three reads run side by side.
 */
export async function editorView(db: RawDb, id: string, viewerId: string, now = new Date(), imageHint?: string) {
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

export async function editorViewOrThrow(db: RawDb, id: string, viewerId: string) {
  const view = await editorView(db, id, viewerId);
  if (!view) throw notFound('No such face (it may have been deleted, with its image)');
  return view;
}
