import type { PrismaClient } from '@/lib/server/db';
import {
  chooseMode,
  pickFace,
  type QueueCandidate,
  type QueueMode,
  type QueuePolicy,
  type RecentFace,
  type Rng,
} from '@/lib/domain/queue-policy';
import { editorView, type EditorView } from '@/lib/api/faces/editor-face';
import { execute, list, query } from '@/lib/server/db/raw';
import { HttpError } from '@/lib/server/http/errors';
import { leaseMs, queuePolicy, WORK_ACTIONS } from './settings';

/**
 * "Start annotating": serves the user the next face under a lease. A user who still holds a live
 * lease gets that face back (resume after a reload). Otherwise the queue policy picks from the open
 * faces (status PREDICTED, no live lease) and the face is claimed with a compare-and-set update that
 * only succeeds while it is still open, so two annotators never get the same face; a lost race
 * tries the next pick. An expired lease makes the face open again.
 */
export type NextFaceOptions = {
  now?: Date;
  rng?: Rng;
  policy?: QueuePolicy;
  leaseMs?: number;
  /**
   * Faces the caller's editor is saving right now (most recent first): never resumed or served
   * again, and counted as the caller's latest work for the diversity rule. The editor asks for the
   * next face while the previous save is still in flight, so it has not been recorded yet.
   */
  exclude?: readonly string[];
};

export type NextFaceResult =
  | (EditorView & { why: string; reason: QueueMode | 'RESUME'; resumed: boolean; leaseExpiresAt: Date; remaining: number })
  | { face: null; remaining: number };

/** Windows read before giving up (each window is walked claim by claim). */
const MAX_TRIES = 12;

/**
 * Every statement of the queue is raw SQL (see lib/server/db/raw.ts: Prisma's per-call planning
 * cost more CPU than the queries themselves at 50 annotators).
 */
const CANDIDATE = '"id", "imageId", "uncertainty", "uncertaintyWhy", "predGender", "predAgeBin"';

/** Faces the queue may serve at `now` (Prisma filter, for other modules). */
export const openFaceWhere = (now: Date) => ({
  status: 'PREDICTED' as const,
  OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }],
});
/** The same in SQL; one parameter: now. */
const OPEN_FACE_SQL = `"status" = 'PREDICTED' AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < ?)`;
const notIn = (ids: Set<string> | string[]) => {
  const values = [...ids];
  return { sql: values.length ? ` AND "id" NOT IN (${list(values.length)})` : '', values };
};

export async function nextFace(prisma: PrismaClient, userId: string, options: NextFaceOptions = {}): Promise<NextFaceResult> {
  const now = options.now ?? new Date();
  const policy = options.policy ?? queuePolicy();
  const rng = options.rng ?? Math.random;
  const expires = new Date(now.getTime() + (options.leaseMs ?? leaseMs()));

  const exclude = [...new Set(options.exclude ?? [])];
  const [resumed, saved, inFlight] = await Promise.all([
    resume(prisma, userId, now, expires, exclude),
    recentFaces(prisma, userId, Math.max(policy.recentImages, policy.maxSameCell)),
    excludedFaces(prisma, exclude),
  ]);
  if (resumed) return resumed;
  const recent = [...inFlight, ...saved.filter((r) => !inFlight.some((f) => f.id === r.faceId))];

  const lost = new Set<string>(exclude);
  let losses = 0;
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    let mode = chooseMode(policy, rng);
    let total: number | null = null;
    let candidates: QueueCandidate[] = [];
    if (mode === 'RANDOM') {
      total = await remaining(prisma);
      candidates = await randomWindow(prisma, now, policy, rng, lost, total);
    }
    if (candidates.length === 0) {
      mode = 'UNCERTAINTY';
      candidates = await topWindow(prisma, now, policy, lost);
    }
    if (candidates.length === 0) return { face: null, remaining: await remaining(prisma) };
    // Walk this window before reading a new one: a lost race costs one UPDATE, not another query.
    let pool = candidates;
    while (pool.length > 0) {
      const pick = pickFace(losses > 0 ? spreadHead(pool, losses, rng) : pool, recent, mode, policy);
      if (!pick) break;
      const count = await execute(
        prisma,
        `UPDATE "Face" SET "leaseOwnerId" = ?, "leaseExpiresAt" = ?, "servedReason" = ?, "updatedAt" = ? WHERE "id" = ? AND ${OPEN_FACE_SQL}`,
        userId,
        expires,
        pick.mode,
        new Date(),
        pick.face.id,
        now,
      );
      if (count === 1) {
        const [view, left] = await Promise.all([editorView(prisma, pick.face.id, userId, now, pick.face.imageId), total ?? remaining(prisma)]);
        if (view) return { ...view, why: explain(view, pick.why), reason: pick.mode, resumed: false, leaseExpiresAt: expires, remaining: left };
      } else {
        losses++; // another annotator was faster
      }
      lost.add(pick.face.id);
      pool = pool.filter((c) => c.id !== pick.face.id);
    }
  }
  throw new HttpError(503, 'QUEUE_BUSY', 'Many annotators are asking for faces at once; try again in a moment.');
}

/**
 * Annotators who ask at the same moment all see the same top of the queue; after `losses` lost
 * races, one of the first losses+1 candidates (at most 8) is moved to the front at random, so
 * racers spread over the top faces instead of losing to each other in lockstep.
 */
function spreadHead(pool: readonly QueueCandidate[], losses: number, rng: Rng): QueueCandidate[] {
  const k = Math.min(pool.length, losses + 1, 8);
  const i = Math.floor(rng() * k);
  return [pool[i], ...pool.slice(0, i), ...pool.slice(i + 1)];
}

async function resume(prisma: PrismaClient, userId: string, now: Date, expires: Date, exclude: string[]): Promise<NextFaceResult | null> {
  const skip = notIn(exclude);
  const [held] = await query<{ id: string; imageId: string }>(
    prisma,
    `SELECT "id", "imageId" FROM "Face" WHERE "leaseOwnerId" = ? AND "leaseExpiresAt" > ? AND "status" = 'PREDICTED'${skip.sql} ORDER BY "leaseExpiresAt" DESC LIMIT 1`,
    userId,
    now,
    ...skip.values,
  );
  if (!held) return null;
  const count = await execute(
    prisma,
    `UPDATE "Face" SET "leaseExpiresAt" = ?, "updatedAt" = ? WHERE "id" = ? AND "leaseOwnerId" = ? AND "status" = 'PREDICTED'`,
    expires,
    new Date(),
    held.id,
    userId,
  );
  if (count !== 1) return null;
  const [view, left] = await Promise.all([editorView(prisma, held.id, userId, now, held.imageId), remaining(prisma)]);
  if (!view) return null;
  return { ...view, why: explain(view, view.face.why), reason: 'RESUME', resumed: true, leaseExpiresAt: expires, remaining: left };
}

/** A face a curator sent back says so first (with the curator's note). */
function explain(view: EditorView, why: string): string {
  const last = view.face.lastChange;
  if (last?.action !== 'SEND_BACK') return why;
  return `sent back by ${last.by?.email ?? 'a curator'}${last.note ? `: "${last.note}"` : ''} · ${why}`;
}

/** The faces this annotator saved last (most recent first), for the diversity rule. */
export async function recentFaces(prisma: PrismaClient, userId: string, take: number): Promise<(RecentFace & { faceId: string | null })[]> {
  if (take <= 0) return [];
  const events = await query<{ faceId: string | null; imageId: string | null; f_imageId: string | null; predGender: string | null; predAgeBin: number | null }>(
    prisma,
    `SELECT e."faceId", e."imageId", f."imageId" AS "f_imageId", f."predGender", f."predAgeBin"
     FROM "LabelEvent" e LEFT JOIN "Face" f ON f."id" = e."faceId"
     WHERE e."userId" = ? AND e."action" IN (${list(WORK_ACTIONS.length)})
     ORDER BY e."createdAt" DESC, e."id" DESC LIMIT ?`,
    userId,
    ...WORK_ACTIONS,
    take,
  );
  return events.map((e) => ({
    faceId: e.faceId,
    imageId: (e.f_imageId ?? e.imageId) as string,
    predGender: e.predGender ?? null,
    predAgeBin: e.predAgeBin ?? null,
  }));
}

/** The excluded faces (being saved by the caller) as diversity history, in the caller's order. */
async function excludedFaces(prisma: PrismaClient, ids: string[]): Promise<(RecentFace & { id: string })[]> {
  if (ids.length === 0) return [];
  const rows = await query<RecentFace & { id: string }>(prisma, `SELECT "id", "imageId", "predGender", "predAgeBin" FROM "Face" WHERE "id" IN (${list(ids.length)})`, ...ids);
  return ids.flatMap((id) => rows.filter((r) => r.id === id));
}

function topWindow(prisma: PrismaClient, now: Date, policy: QueuePolicy, lost: Set<string>, order: 'DESC' | 'ASC' = 'DESC'): Promise<QueueCandidate[]> {
  const skip = notIn(lost);
  return query<QueueCandidate>(prisma, `SELECT ${CANDIDATE} FROM "Face" WHERE ${OPEN_FACE_SQL}${skip.sql} ORDER BY "uncertainty" ${order} LIMIT ?`, now, ...skip.values, policy.window);
}

/**
 * A uniformly random position in the queue (in uncertainty order), found through the
 * (status, uncertainty) index: the score at a random offset (an index-only scan), then the open
 * faces from that score down. Only when the whole window shares one score (many equal scores, e.g.
 * before any model ran) is the offset applied within that run, so the pick stays uniform there too.
 * The offset scan is linear in the distance from the nearer end of the queue (index-only: ~4.7 ms
 * at 50,000 on SQLite); a stored random sample key with its own index would make it logarithmic
 * (a schema change).
 */
async function randomWindow(
  prisma: PrismaClient,
  now: Date,
  policy: QueuePolicy,
  rng: Rng,
  lost: Set<string>,
  total: number,
): Promise<QueueCandidate[]> {
  if (total === 0) return [];
  const offset = Math.min(total - 1, Math.floor(rng() * total));
  // Scanned from the nearer end (the same position counted from the other side): half the work on average.
  const fromTop = offset < total / 2;
  const [pivot] = await query<{ uncertainty: number }>(
    prisma,
    `SELECT "uncertainty" FROM "Face" WHERE "status" = 'PREDICTED' ORDER BY "uncertainty" ${fromTop ? 'DESC' : 'ASC'} LIMIT 1 OFFSET ?`,
    fromTop ? offset : total - 1 - offset,
  );
  // Past the end of a queue that shrank since it was counted: its tail.
  if (!pivot) return total > 0 && !(await remaining(prisma, true)) ? [] : topWindow(prisma, now, policy, lost, 'ASC');
  const skip = notIn(lost);
  const windowSql = `SELECT ${CANDIDATE} FROM "Face" WHERE ${OPEN_FACE_SQL} AND "uncertainty" <= ?${skip.sql} ORDER BY "uncertainty" DESC LIMIT ?`;
  const args = [now, pivot.uncertainty, ...skip.values, policy.window];
  const window = await query<QueueCandidate>(prisma, windowSql, ...args);
  if (window.length < policy.window || window[window.length - 1].uncertainty !== pivot.uncertainty) return window;
  // The faces above the pivot's score, counted from the nearer end too.
  const rows = await query<{ n: number | bigint | string }>(prisma, `SELECT COUNT(*) AS n FROM "Face" WHERE "status" = 'PREDICTED' AND "uncertainty" ${fromTop ? '>' : '<='} ?`, pivot.uncertainty);
  const above = fromTop ? Number(rows[0]?.n ?? 0) : total - Number(rows[0]?.n ?? 0);
  return query<QueueCandidate>(prisma, `${windowSql} OFFSET ?`, ...args, Math.max(0, offset - above));
}

/**
 * Faces still to annotate (PREDICTED, including those leased right now). Counting is linear in the
 * queue (~10 ms per 100,000 faces on SQLite, more under load) and every claim needs the figure, so a
 * large queue's count is reused for up to COUNT_TTL_MS per database client: the random slice only
 * needs a position in the queue and the UI a rough "left" figure. Small queues are always counted
 * exactly (cheap, and what tests and a fresh install see).
 */
export async function remaining(prisma: PrismaClient, fresh = false): Promise<number> {
  const cached = counts.get(prisma);
  if (!fresh && cached && Date.now() - cached.at < COUNT_TTL_MS) return cached.n;
  // Raw COUNT: Prisma's count() wraps the query in a sub-select that is ~3× slower here.
  const rows = await query<{ n: number | bigint | string }>(prisma, `SELECT COUNT(*) AS n FROM "Face" WHERE "status" = 'PREDICTED'`);
  const n = Number(rows[0]?.n ?? 0);
  if (n >= EXACT_COUNT_BELOW) counts.set(prisma, { n, at: Date.now() });
  else counts.delete(prisma);
  return n;
}

const COUNT_TTL_MS = 2000;
const EXACT_COUNT_BELOW = 5000;
const counts = new WeakMap<PrismaClient, { n: number; at: number }>();
