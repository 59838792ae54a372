import type { PrismaClient } from '@/lib/server/db';
import type { Ack, Grant } from './annotator';

/**
 * After the run, against the database: every acknowledged save is in its face row and in the
 * history (LabelEvent by user + requestId, with the version it answered), no save was applied twice,
 * no two history events claim the same version of a face, and no face was leased to two annotators
 * at once (from the clients' own record of lease grants, and from the lease columns).
 */
export type Verdict = {
  acknowledged: number;
  lostSaves: string[];
  unacknowledgedWrites: number;
  duplicateVersions: number;
  doubleLeases: string[];
  leaseInvariant: string[];
};

function chunks<T>(list: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export async function verify(prisma: PrismaClient, acks: Ack[], grants: Grant[], userIds: string[], endedAt: number): Promise<Verdict> {
  const lostSaves: string[] = [];
  const events = new Map<string, { action: string; faceVersion: number; faceId: string | null }>();
  for (const part of chunks(acks.map((a) => a.requestId))) {
    for (const e of await prisma.labelEvent.findMany({ where: { requestId: { in: part } }, select: { requestId: true, userId: true, action: true, faceVersion: true, faceId: true } })) {
      events.set(`${e.userId}/${e.requestId}`, e);
    }
  }
  const lastLabel = new Map<string, Ack>();
  for (const ack of acks) {
    const event = events.get(`${ack.userId}/${ack.requestId}`);
    if (!event || event.action !== ack.kind || event.faceVersion !== ack.version || event.faceId !== ack.faceId) {
      lostSaves.push(`${ack.kind} ${ack.faceId} v${ack.version} by ${ack.userId}: history ${event ? `${event.action} v${event.faceVersion}` : 'missing'}`);
    }
    if (ack.kind !== 'BOX') lastLabel.set(ack.faceId, ack);
  }
  for (const part of chunks([...lastLabel.keys()])) {
    const rows = await prisma.face.findMany({ where: { id: { in: part } }, select: { id: true, status: true, gender: true, age: true, version: true, labeledById: true } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of part) {
      const ack = lastLabel.get(id)!;
      const row = byId.get(id);
      if (!row || row.status !== 'LABELED' || row.gender !== ack.gender || row.age !== ack.age || row.version !== ack.version || row.labeledById !== ack.userId) {
        lostSaves.push(`${ack.kind} ${id} v${ack.version} by ${ack.userId}: face row ${row ? `${row.status} ${row.gender} ${row.age} v${row.version} by ${row.labeledById}` : 'missing'}`);
      }
    }
  }

  const written = await prisma.labelEvent.count({ where: { userId: { in: userIds }, action: { in: ['LABEL', 'ACCEPT', 'BOX', 'SKIP'] } } });
  const dup = (await prisma.$queryRawUnsafe(
    `SELECT COUNT(*) AS n FROM (SELECT "faceId", "faceVersion" FROM "LabelEvent" WHERE "faceId" IS NOT NULL GROUP BY "faceId", "faceVersion" HAVING COUNT(*) > 1) AS d`,
  )) as { n: number | bigint }[];

  // Client view: a grant holds the face from its time until that annotator's label was acknowledged.
  const doubleLeases: string[] = [];
  const byFace = new Map<string, Grant[]>();
  for (const g of grants) byFace.set(g.faceId, [...(byFace.get(g.faceId) ?? []), g]);
  for (const [faceId, list] of byFace) {
    for (const a of list) {
      for (const b of list) {
        if (a.userId !== b.userId && a.at <= b.at && b.at < (a.released ?? endedAt)) doubleLeases.push(`${faceId}: ${a.userId} and ${b.userId}`);
      }
    }
  }
  const leaseInvariant: string[] = [];
  const closedButLeased = await prisma.face.count({ where: { status: { not: 'PREDICTED' }, leaseOwnerId: { not: null } } });
  if (closedButLeased > 0) leaseInvariant.push(`${closedButLeased} labeled/skipped face(s) still carry a lease`);
  const live = await prisma.face.groupBy({ by: ['leaseOwnerId'], where: { leaseOwnerId: { not: null }, leaseExpiresAt: { gt: new Date() } }, _count: { _all: true } });
  for (const row of live) if (row._count._all > 1) leaseInvariant.push(`${row.leaseOwnerId} holds ${row._count._all} live leases`);

  return {
    acknowledged: acks.length,
    lostSaves,
    unacknowledgedWrites: written - acks.length,
    duplicateVersions: Number(dup[0]?.n ?? 0),
    doubleLeases,
    leaseInvariant,
  };
}
