import type { PrismaClient } from '@/lib/server/db';
import { currentFace } from '@/lib/api/faces/editor-face';
import { faceGone } from '@/lib/api/faces/errors';
import { query } from '@/lib/server/db/raw';
import { badRequest } from '@/lib/server/http/errors';

/**
 * A request the user already sent (same requestId, e.g. a retry after a lost connection) is
 * answered with the face as it is now instead of being applied twice. Null when it is new.
 */
export async function replayRequest(prisma: PrismaClient, userId: string, requestId: string | undefined, faceId: string) {
  if (!requestId) return null;
  const [event] = await query<{ faceId: string | null; before: unknown }>(
    prisma,
    'SELECT "faceId", "before" FROM "LabelEvent" WHERE "userId" = ? AND "requestId" = ?',
    userId,
    requestId,
  );
  if (!event) return null;
  const firstFace = event.faceId ?? (event.before as { id?: string } | null)?.id ?? null;
  if (firstFace !== null && firstFace !== faceId) {
    throw badRequest('This requestId was already used for another face; send a new one with every save.', { code: 'REQUEST_ID_REUSED' });
  }
  const face = await currentFace(prisma, faceId, userId);
  if (!face) throw faceGone();
  return { face, replayed: true as const };
}
