import { z } from 'zod';
import type { PrismaClient } from '@/lib/server/db';
import type { Role } from '@/lib/domain/labels';
import { can } from '@/lib/server/auth/access';
import { agreeWhere, comparedWhere, rate } from './agreement';
import { WORK_ACTIONS } from './settings';
import { HOUR_MS, hourlySeries, sessionRate } from './work-rate';

export const StatsQuery = z.object({ datasetId: z.string().max(64).optional() });

/**
 * Annotation progress, per annotator and per dataset (optionally within one dataset).
 *
 * - labeled: faces whose status is LABELED or REVIEWED, attributed to their labeler (reviewed: the
 *   REVIEWED part); skipped: SKIPPED faces, attributed to who skipped; imported: IMPORTED faces.
 * - remaining: PREDICTED faces (not yet labeled, including those being labeled now); inProgress:
 *   PREDICTED faces under a live lease.
 * - agreement (see ./agreement): agreed / compared among labeled faces; randomSlice: the same over
 *   faces the queue served as its random sample — the model's unbiased agreement.
 * - facesPerHour, session (see ./work-rate), last24h: from save events of the last 24 hours.
 * - series: saves per hour for the last 24 hours (all visible work, and the viewer's own).
 * Annotators see their own row only; curators and admins (faces:review) see everyone's.
 */
const DONE = ['LABELED', 'REVIEWED'] as const;
type Counts = { labeled: number; reviewed: number; skipped: number };
type Agreement = { agreed: number; compared: number; rate: number | null };

const agreement = (agreed: number, compared: number): Agreement => ({ agreed, compared, rate: rate(agreed, compared) });

function statusCounts(rows: { status: string; _count: { _all: number } }[]) {
  const n = (s: string) => rows.filter((r) => r.status === s).reduce((a, r) => a + r._count._all, 0);
  return {
    faces: rows.reduce((a, r) => a + r._count._all, 0),
    labeled: n('LABELED') + n('REVIEWED'),
    reviewed: n('REVIEWED'),
    skipped: n('SKIPPED'),
    imported: n('IMPORTED'),
    remaining: n('PREDICTED'),
  };
}

function work(times: number[]) {
  const { facesPerHour, session } = sessionRate(times);
  return { facesPerHour, session, last24h: times.length };
}

async function scopeFigures(prisma: PrismaClient, scope: object) {
  const done = { ...scope, status: { in: [...DONE] } };
  const [byStatus, agreed, compared] = await Promise.all([
    prisma.face.groupBy({ by: ['status'], where: scope, _count: { _all: true } }),
    prisma.face.count({ where: { ...done, ...agreeWhere(prisma) } }),
    prisma.face.count({ where: { ...done, ...comparedWhere } }),
  ]);
  return { ...statusCounts(byStatus), agreement: agreement(agreed, compared) };
}

export async function annotateStats(prisma: PrismaClient, viewer: { id: string; role: Role }, query: z.infer<typeof StatsQuery>, now = new Date()) {
  const everyone = can(viewer.role, 'faces:review');
  const scope = query.datasetId ? { image: { datasetId: query.datasetId } } : {};
  const done = { ...scope, status: { in: [...DONE] }, labeledById: { not: null } };
  const random = { ...scope, status: { in: [...DONE] }, servedReason: 'RANDOM' };
  const since = new Date(now.getTime() - 24 * HOUR_MS);

  const [overall, byUser, agreedByUser, comparedByUser, randomAgreed, randomCompared, inProgress, datasets, events] = await Promise.all([
    scopeFigures(prisma, scope),
    prisma.face.groupBy({
      by: ['labeledById', 'status'],
      where: { ...scope, labeledById: { not: null }, status: { in: [...DONE, 'SKIPPED'] } },
      _count: { _all: true },
    }),
    prisma.face.groupBy({ by: ['labeledById'], where: { ...done, ...agreeWhere(prisma) }, _count: { _all: true } }),
    prisma.face.groupBy({ by: ['labeledById'], where: { ...done, ...comparedWhere }, _count: { _all: true } }),
    prisma.face.count({ where: { ...random, ...agreeWhere(prisma) } }),
    prisma.face.count({ where: { ...random, ...comparedWhere } }),
    prisma.face.count({ where: { ...scope, status: 'PREDICTED', leaseExpiresAt: { gt: now } } }),
    prisma.dataset.findMany({ where: query.datasetId ? { id: query.datasetId } : {}, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
    prisma.labelEvent.findMany({
      where: { action: { in: [...WORK_ACTIONS] }, createdAt: { gte: since }, ...(query.datasetId ? { face: scope } : {}) },
      select: { userId: true, createdAt: true, face: { select: { image: { select: { datasetId: true } } } } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 200_000,
    }),
  ]);

  // Per annotator.
  const counts = new Map<string, Counts>();
  const row = (id: string) => counts.get(id) ?? counts.set(id, { labeled: 0, reviewed: 0, skipped: 0 }).get(id)!;
  for (const r of byUser) {
    const c = row(r.labeledById!);
    if (r.status === 'SKIPPED') c.skipped += r._count._all;
    else c.labeled += r._count._all;
    if (r.status === 'REVIEWED') c.reviewed += r._count._all;
  }
  const agreedOf = new Map(agreedByUser.map((r) => [r.labeledById!, r._count._all]));
  const comparedOf = new Map(comparedByUser.map((r) => [r.labeledById!, r._count._all]));
  const timesOf = new Map<string, number[]>();
  const timesOfDataset = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, key: string, t: number) => (map.get(key) ?? map.set(key, []).get(key)!).push(t);
  for (const e of events) {
    if (e.userId) push(timesOf, e.userId, e.createdAt.getTime());
    const datasetId = e.face?.image.datasetId;
    if (datasetId) push(timesOfDataset, datasetId, e.createdAt.getTime());
  }
  const ids = [...new Set([...counts.keys(), ...timesOf.keys(), viewer.id])].filter((id) => everyone || id === viewer.id);
  const users = await prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true, name: true } });
  const rows = users.map((user) => ({
    user,
    ...(counts.get(user.id) ?? { labeled: 0, reviewed: 0, skipped: 0 }),
    agreement: agreement(agreedOf.get(user.id) ?? 0, comparedOf.get(user.id) ?? 0),
    ...work(timesOf.get(user.id) ?? []),
  }));
  const annotators = rows
    .filter((r) => r.labeled + r.skipped + r.last24h > 0 || !everyone)
    .sort((a, b) => b.labeled - a.labeled || a.user.email.localeCompare(b.user.email));

  // Per dataset.
  const perDataset = await Promise.all(
    datasets.map(async (dataset) => ({
      dataset,
      ...(await scopeFigures(prisma, { image: { datasetId: dataset.id } })),
      ...work(timesOfDataset.get(dataset.id) ?? []),
    })),
  );

  const visible = everyone ? events : events.filter((e) => e.userId === viewer.id);
  const allTimes = visible.map((e) => e.createdAt.getTime());
  const mine = timesOf.get(viewer.id) ?? [];
  const total = hourlySeries(allTimes, now);
  return {
    generatedAt: now,
    overall: {
      ...overall,
      inProgress,
      randomSlice: agreement(randomAgreed, randomCompared),
      ...work(everyone ? events.map((e) => e.createdAt.getTime()) : mine),
    },
    me: rows.find((a) => a.user.id === viewer.id) ?? null,
    annotators,
    datasets: perDataset,
    series: { hours: total.hours, total: total.counts, mine: hourlySeries(mine, now).counts },
  };
}
