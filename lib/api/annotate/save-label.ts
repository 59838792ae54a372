import { z } from 'zod';
import type { Prisma } from '@/prisma/generated/sqlite/client';
import type { PrismaClient } from '@/lib/server/db';
import { ageToBin } from '@/lib/domain/age-bins';
import { clampBox } from '@/lib/api/faces/box';
import { currentFace, loadEditorRow, shapeEvent, shapeFace } from '@/lib/api/faces/editor-face';
import { StaleVersion, faceGone } from '@/lib/api/faces/errors';
import { BoxInput, LabelFields, RequestId } from '@/lib/api/faces/schemas';
import { type SnapshotSource, sameState, snapshot, snapshotSelect } from '@/lib/api/faces/snapshot';
import { execute, isUniqueViolation, query, type RawDb, transaction } from '@/lib/server/db/raw';
import { HttpError, badRequest } from '@/lib/server/http/errors';
import { acceptedLabels } from './accept';
import { replayRequest } from './replay';

/**
 * label  — store the given labels (merged over the face's current ones; gender and age must end up
 *          set) → LABELED;
 * accept — store the model's prediction as the labels → LABELED;
 * skip   — can't be labeled (not a face, too blurry) → SKIPPED;
 * box    — change only the box; status, labels and lease stay.
 * `box` may come with label/accept/box; it is clamped to the image and refused under 2×2 px.
 */
export const SaveLabelBody = z.object({
  version: z.number().int().min(1),
  action: z.enum(['label', 'accept', 'skip', 'box']),
  requestId: RequestId.optional(),
  box: BoxInput.optional(),
  ...LabelFields,
});
export type SaveLabelBody = z.infer<typeof SaveLabelBody>;

const rowSelect = {
  ...snapshotSelect,
  predGender: true,
  predAge: true,
  predAgeBin: true,
  predRace: true,
  image: { select: { width: true, height: true } },
} as const;
type Row = NonNullable<Awaited<ReturnType<typeof loadRow>>>;
type Db = Pick<PrismaClient, 'face'>;

function loadRow(db: Db, id: string) {
  return db.face.findUnique({ where: { id }, select: rowSelect });
}

type Plan = { action: 'LABEL' | 'ACCEPT' | 'SKIP' | 'BOX'; state: SnapshotSource; data: Prisma.FaceUncheckedUpdateManyInput };

/** What the save does to the face (pure; throws 400 for labels or boxes it cannot take). */
function plan(face: Row, body: SaveLabelBody, userId: string, now: Date): Plan {
  const labeledBy = { labeledById: userId, labeledAt: now, reviewedById: null, reviewedAt: null, leaseOwnerId: null, leaseExpiresAt: null };
  if (body.action === 'skip') {
    return { action: 'SKIP', state: { ...face, status: 'SKIPPED' }, data: { status: 'SKIPPED', ...labeledBy } };
  }
  const box = body.box ? clampBox(body.box, face.image.width, face.image.height) : { x: face.x, y: face.y, w: face.w, h: face.h };
  if (body.action === 'box') {
    if (!body.box) throw badRequest('action "box" needs a box');
    return { action: 'BOX', state: { ...face, ...box }, data: box };
  }
  let labels: { gender: Row['gender']; age: number; ageBin: number; race: Row['race'] };
  if (body.action === 'accept') {
    if (body.gender !== undefined || body.age !== undefined || body.race !== undefined) {
      throw badRequest('"accept" stores the model\'s labels as they are; send action "label" with your values to change them.');
    }
    labels = acceptedLabels(face, face.race);
  } else {
    const gender = body.gender ?? face.gender;
    const age = body.age ?? face.age;
    if (gender === null || age === null) throw badRequest('To label a face give its gender and age (or skip it).', { code: 'LABELS_MISSING' });
    labels = { gender, age, ageBin: ageToBin(age), race: body.race !== undefined ? body.race : face.race };
  }
  return {
    action: body.action === 'accept' ? 'ACCEPT' : 'LABEL',
    state: { ...face, ...box, ...labels, status: 'LABELED' },
    data: { ...box, ...labels, status: 'LABELED', ...labeledBy },
  };
}

/**
 * Saves the annotator's work on one face: a compare-and-set on `version` (a stale version gets
 * 409 STALE_VERSION with the face as stored and who changed it), one LabelEvent (before → after),
 * version + 1. Retries are safe: the same requestId, or the same save repeated by the same user
 * right after it succeeded, answers with the stored result (`replayed: true`) and writes nothing.
 */
export async function saveLabel(prisma: PrismaClient, faceId: string, userId: string, body: SaveLabelBody, now = new Date()) {
  const replay = await replayRequest(prisma, userId, body.requestId, faceId);
  if (replay) return replay;
  let saved: Awaited<ReturnType<typeof applySave>>;
  try {
    saved = await transaction(prisma, (tx) => applySave(tx, faceId, userId, body, now));
  } catch (error) {
    if (!(error instanceof StaleVersion) && !isUniqueViolation(error)) throw error;
    return (await replayRequest(prisma, userId, body.requestId, faceId)) ?? (await repeatedOrConflict(prisma, faceId, userId, body, now));
  }
  return { face: saved, replayed: false as const };
}

/** Columns a save may set, and the PostgreSQL type their parameter is cast to. */
const SAVE_COLUMNS: Record<string, string | undefined> = {
  status: '"FaceStatus"',
  gender: '"Gender"',
  race: '"Race"',
  age: undefined,
  ageBin: undefined,
  x: undefined,
  y: undefined,
  w: undefined,
  h: undefined,
  labeledById: undefined,
  labeledAt: undefined,
  reviewedById: undefined,
  reviewedAt: undefined,
  leaseOwnerId: undefined,
  leaseExpiresAt: undefined,
};

/**
 * The save inside its transaction, in three raw statements (read the editor row, compare-and-set
 * the face on its version, append the LabelEvent), and the face as the editor sees it afterwards,
 * built from what was read and written instead of read back.
 */
async function applySave(tx: RawDb, faceId: string, userId: string, body: SaveLabelBody, now: Date) {
  const face = await loadEditorRow(tx, faceId, userId);
  if (!face) throw faceGone();
  if (face.version !== body.version) throw new StaleVersion(faceId);
  const p = plan(face, body, userId, now);
  const data = p.data as Record<string, unknown>;
  const columns = Object.keys(data).filter((c) => c in SAVE_COLUMNS);
  if (columns.length !== Object.keys(data).length) throw new Error(`saveLabel: unexpected columns ${Object.keys(data)}`);
  const updatedAt = new Date();
  const sets = columns.map((c) => `"${c}" = ?${SAVE_COLUMNS[c] ? `{${SAVE_COLUMNS[c]}}` : ''}`);
  const count = await execute(
    tx,
    `UPDATE "Face" SET ${sets.join(', ')}, "version" = "version" + 1, "updatedAt" = ? WHERE "id" = ? AND "version" = ?`,
    ...columns.map((c) => data[c] ?? null),
    updatedAt,
    faceId,
    body.version,
  );
  if (count !== 1) throw new StaleVersion(faceId);
  const before = snapshot(face);
  const after = snapshot(p.state);
  const createdAt = new Date();
  const [event] = await query<{ id: number | bigint }>(
    tx,
    `INSERT INTO "LabelEvent" ("faceId", "imageId", "userId", "action", "before", "after", "faceVersion", "requestId", "createdAt")
     VALUES (?, ?, ?, ?, ?{jsonb}, ?{jsonb}, ?, ?, ?) RETURNING "id"`,
    faceId,
    face.imageId,
    userId,
    p.action,
    JSON.stringify(before),
    JSON.stringify(after),
    body.version + 1,
    body.requestId ?? null,
    createdAt,
  );
  const { me, labeledById: _, ...row } = face;
  const stored = {
    ...row,
    ...(data as Partial<typeof row>),
    version: body.version + 1,
    updatedAt,
    labeledBy: 'labeledById' in data ? me : row.labeledBy,
    reviewedBy: 'reviewedById' in data ? null : row.reviewedBy,
  };
  const lastChange = shapeEvent({ id: Number(event.id), action: p.action, createdAt, faceVersion: body.version + 1, before, after, user: me });
  return { ...shapeFace(stored, userId), lastChange };
}

/** A stale save that repeats the user's own last save exactly is a no-op; anything else is a 409. */
async function repeatedOrConflict(prisma: PrismaClient, faceId: string, userId: string, body: SaveLabelBody, now: Date) {
  const row = await loadRow(prisma, faceId);
  if (!row) throw faceGone();
  const current = await currentFace(prisma, faceId, userId);
  if (!current) throw faceGone();
  const last = current.lastChange;
  if (row.version === body.version + 1 && last?.by?.id === userId && last.faceVersion === row.version) {
    let p: Plan | null = null;
    try {
      p = plan({ ...row, version: body.version }, body, userId, now);
    } catch {
      p = null;
    }
    if (p && p.action === last.action && sameState(p.state, row)) return { face: current, replayed: true as const };
  }
  const by = last?.by?.email ?? 'Someone';
  throw new HttpError(
    409,
    'STALE_VERSION',
    `${by} changed this face meanwhile (now version ${row.version}; your edit was based on version ${body.version}). ` +
      'Look at their change, then re-apply yours if it is still right.',
    { current },
  );
}
