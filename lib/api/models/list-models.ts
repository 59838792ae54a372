import type { PrismaClient } from '@/lib/server/db';
import { jobSelect } from '@/lib/server/jobs/queue';
import { isAvailable, locate, resolveActive, versionSelect } from '@/lib/server/models/store';
import { countNewLabels } from './new-labels';

/** Everything the Models page shows: versions with metrics, the served one, recent rounds and re-scores, the latest features job. */
export async function listModels(prisma: PrismaClient, name: string) {
  const { served, problem } = await resolveActive(prisma, name);
  const rows = await prisma.modelVersion.findMany({ where: { name }, orderBy: { createdAt: 'asc' }, select: versionSelect });
  const byId = new Map(rows.map((r) => [r.id, r.version]));
  const versions = rows.map((r) => ({
    ...r,
    parentVersion: r.parentId ? (byId.get(r.parentId) ?? null) : null,
    available: isAvailable(r),
    url: locate(r).url,
    served: served?.id === r.id,
  }));
  const recent = await prisma.job.findMany({ where: { kind: { in: ['TRAIN', 'RESCORE'] } }, orderBy: { createdAt: 'desc' }, take: 20, select: jobSelect });
  // The worker's background feature extraction: only its latest job (there is one per batch of new labels).
  const features = await prisma.job.findFirst({ where: { kind: 'FEATURES' }, orderBy: { createdAt: 'desc' }, select: jobSelect });
  const jobs = features ? [...recent, features].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()) : recent;
  const newLabels = await countNewLabels(prisma, name);
  return {
    name,
    served: served ? { version: served.version, url: locate(served).url } : null,
    problems: [problem, ...versions.filter((v) => !v.available).map((v) => `Version ${v.version}: files missing (${v.path}); it is never served`)].filter(Boolean) as string[],
    versions,
    jobs,
    newLabels: newLabels.count,
  };
}
