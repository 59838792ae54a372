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

const candidateSelect = {
  id: true,
  imageId: true,
  uncertainty: true,
  uncertaintyWhy: true,
  predGender: true,
  predAgeBin: true,
} as const;

/** Faces the queue may serve at `now`. */
export const openFaceWhere = (now: Date) => ({
  status: 'PREDICTED' as const,
  OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }],
});

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
      const { count } = await prisma.face.updateMany({
        where: { id: pick.face.id, ...openFaceWhere(now) },
        data: { leaseOwnerId: userId, leaseExpiresAt: expires, servedReason: pick.mode },
      });
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
  const held = await prisma.face.findFirst({
    where: { leaseOwnerId: userId, leaseExpiresAt: { gt: now }, status: 'PREDICTED', ...(exclude.length ? { id: { notIn: exclude } } : {}) },
    orderBy: { leaseExpiresAt: 'desc' },
    select: { id: true, imageId: true },
  });
  if (!held) return null;
  const { count } = await prisma.face.updateMany({
    where: { id: held.id, leaseOwnerId: userId, status: 'PREDICTED' },
    data: { leaseExpiresAt: expires },
  });
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
  const events = await prisma.labelEvent.findMany({
    where: { userId, action: { in: [...WORK_ACTIONS] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    select: { faceId: true, imageId: true, face: { select: { imageId: true, predGender: true, predAgeBin: true } } },
  });
  return events.map((e) => ({
    faceId: e.faceId,
    imageId: e.face?.imageId ?? e.imageId,
    predGender: e.face?.predGender ?? null,
    predAgeBin: e.face?.predAgeBin ?? null,
  }));
}

/** The excluded faces (being saved by the caller) as diversity history, in the caller's order. */
async function excludedFaces(prisma: PrismaClient, ids: string[]): Promise<(RecentFace & { id: string })[]> {
  if (ids.length === 0) return [];
  const rows = await prisma.face.findMany({ where: { id: { in: ids } }, select: { id: true, imageId: true, predGender: true, predAgeBin: true } });
  return ids.flatMap((id) => rows.filter((r) => r.id === id));
}

function topWindow(prisma: PrismaClient, now: Date, policy: QueuePolicy, lost: Set<string>): Promise<QueueCandidate[]> {
  return prisma.face.findMany({
    where: { ...openFaceWhere(now), ...(lost.size ? { id: { notIn: [...lost] } } : {}) },
    orderBy: { uncertainty: 'desc' },
    take: policy.window,
    select: candidateSelect,
  });
}

/**
 * A uniformly random position in the queue (in uncertainty order), found through the
 * (status, uncertainty) index: the score at a random offset (an index-only scan), then the open
 * faces from that score down. Only when the whole window shares one score (many equal scores, e.g.
 * before any model ran) is the offset applied within that run, so the pick stays uniform there too.
 * The offset scan is linear in the position (index-only: ~6 ms at 50,000 on SQLite, unloaded); a
 * stored random sample key with its own index would make it logarithmic (a schema change).
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
  const pivot = await prisma.face.findFirst({
    where: { status: 'PREDICTED' },
    orderBy: { uncertainty: 'desc' },
    skip: offset,
    select: { uncertainty: true },
  });
  if (!pivot) return total > 0 && !(await remaining(prisma, true)) ? [] : topWindowFromEnd(prisma, now, policy, lost);
  const where = { ...openFaceWhere(now), uncertainty: { lte: pivot.uncertainty }, ...(lost.size ? { id: { notIn: [...lost] } } : {}) };
  const window = await prisma.face.findMany({ where, orderBy: { uncertainty: 'desc' }, take: policy.window, select: candidateSelect });
  if (window.length < policy.window || window[window.length - 1].uncertainty !== pivot.uncertainty) return window;
  const rows = await prisma.$queryRaw<{ n: number | bigint | string }[]>`SELECT COUNT(*) AS n FROM "Face" WHERE "status" = 'PREDICTED' AND "uncertainty" > ${pivot.uncertainty}`;
  const above = Number(rows[0]?.n ?? 0);
  return prisma.face.findMany({ where, orderBy: { uncertainty: 'desc' }, skip: Math.max(0, offset - above), take: policy.window, select: candidateSelect });
}

/** The queue's tail (a random position past the end of a queue that shrank since it was counted). */
function topWindowFromEnd(prisma: PrismaClient, now: Date, policy: QueuePolicy, lost: Set<string>): Promise<QueueCandidate[]> {
  return prisma.face.findMany({
    where: { ...openFaceWhere(now), ...(lost.size ? { id: { notIn: [...lost] } } : {}) },
    orderBy: { uncertainty: 'asc' },
    take: policy.window,
    select: candidateSelect,
  });
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
  const rows = await prisma.$queryRawUnsafe<{ n: number | bigint | string }[]>(`SELECT COUNT(*) AS n FROM "Face" WHERE "status" = 'PREDICTED'`);
  const n = Number(rows[0]?.n ?? 0);
  if (n >= EXACT_COUNT_BELOW) counts.set(prisma, { n, at: Date.now() });
  else counts.delete(prisma);
  return n;
}

const COUNT_TTL_MS = 2000;
const EXACT_COUNT_BELOW = 5000;
const counts = new WeakMap<PrismaClient, { n: number; at: number }>();
