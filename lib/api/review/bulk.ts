import type { Prisma } from '@/prisma/generated/sqlite/client';
import type { PrismaClient } from '@/lib/server/db';
import type { FaceStatus } from '@/lib/domain/labels';
import { snapshot, snapshotSelect } from '@/lib/api/faces/snapshot';

export type FaceRef = { id: string; version: number };
export type Refusal = { id: string; code: 'NOT_FOUND' | 'STALE_VERSION' | 'NOT_ALLOWED'; message: string; current?: { version: number; status: string } };
export type BulkResult = { updated: string[]; unchanged: string[]; refused: Refusal[] };

type Transition = {
  action: 'REVIEW' | 'SEND_BACK';
  from: readonly FaceStatus[];
  to: FaceStatus;
  data: Prisma.FaceUncheckedUpdateManyInput;
  note?: string;
};

/**
 * Moves many faces to a new status, each only at the version the curator saw (compare-and-set),
 * one history event each, all in one transaction. A face already in the target status counts as
 * unchanged (a repeated click is harmless); stale, missing or ineligible faces are refused with a reason.
 */
export async function bulkTransition(prisma: PrismaClient, userId: string, refs: FaceRef[], t: Transition): Promise<BulkResult> {
  const unique = [...new Map(refs.map((r) => [r.id, r])).values()];
  return prisma.$transaction(
    async (tx) => {
      const result: BulkResult = { updated: [], unchanged: [], refused: [] };
      const faces = new Map(
        (await tx.face.findMany({ where: { id: { in: unique.map((r) => r.id) } }, select: snapshotSelect })).map((f) => [f.id, f]),
      );
      for (const ref of unique) {
        const face = faces.get(ref.id);
        if (!face) {
          result.refused.push({ id: ref.id, code: 'NOT_FOUND', message: 'This face no longer exists' });
          continue;
        }
        const current = { version: face.version, status: face.status };
        if (face.status === t.to) {
          result.unchanged.push(ref.id);
          continue;
        }
        if (face.version !== ref.version) {
          result.refused.push({ id: ref.id, code: 'STALE_VERSION', message: 'Changed since you loaded it; reload and look again', current });
          continue;
        }
        if (!t.from.includes(face.status)) {
          result.refused.push({ id: ref.id, code: 'NOT_ALLOWED', message: `A ${face.status} face cannot be moved to ${t.to}`, current });
          continue;
        }
        const { count } = await tx.face.updateMany({ where: { id: ref.id, version: ref.version }, data: { ...t.data, version: { increment: 1 } } });
        if (count !== 1) {
          result.refused.push({ id: ref.id, code: 'STALE_VERSION', message: 'Changed since you loaded it; reload and look again', current });
          continue;
        }
        await tx.labelEvent.create({
          data: {
            faceId: ref.id,
            imageId: face.imageId,
            userId,
            action: t.action,
            before: snapshot(face),
            after: { ...snapshot({ ...face, status: t.to }), ...(t.note ? { note: t.note } : {}) },
            faceVersion: ref.version + 1,
          },
        });
        result.updated.push(ref.id);
      }
      return result;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}
