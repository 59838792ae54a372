import { ImportJobParams } from '@/lib/api/imports/import-job';
import type { PrismaClient } from '@/lib/server/db';
import type { BlobStorage } from '@/lib/server/storage/storage';

/**
 * Uploads of web imports (`imports/…` blobs) that nothing will ever delete: the job's last attempt
 * died with its worker (the job is failed or cancelled by another worker, which never runs the
 * import's own clean-up), or the server stopped between storing the upload and queueing its job.
 * An upload a queued or running IMPORT job names is always kept; one an ended job names goes at
 * once; one no job names goes once older than the grace period (its job may be about to be queued).
 */
export const DEFAULT_IMPORT_UPLOAD_GRACE_MS = 24 * 60 * 60_000;
const MIN_GRACE_MS = 60_000;
/** How far a job's createdAt may trail its upload's mtime (clock skew between instances). */
const CLOCK_SLACK_MS = 60 * 60_000;
export const IMPORT_SWEEP_INTERVAL_MS = 15 * 60_000;

/** FACET_IMPORT_UPLOAD_GRACE_MS (default 24 h, at least 1 min; anything unreadable → the default). */
export function importUploadGraceMs(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.FACET_IMPORT_UPLOAD_GRACE_MS);
  if (!env.FACET_IMPORT_UPLOAD_GRACE_MS?.trim() || !Number.isFinite(value) || value < 0) return DEFAULT_IMPORT_UPLOAD_GRACE_MS;
  return Math.max(MIN_GRACE_MS, value);
}

async function uploadKeysOf(prisma: PrismaClient, where: object): Promise<Set<string>> {
  const rows = await prisma.job.findMany({ where: { kind: 'IMPORT', ...where }, select: { params: true } });
  const keys = rows.map((r) => ImportJobParams.safeParse(r.params)).flatMap((p) => (p.success ? [p.data.uploadKey] : []));
  return new Set(keys);
}

export async function sweepImportUploads(
  prisma: PrismaClient,
  storage: BlobStorage,
  options: { graceMs?: number; now?: number } = {},
): Promise<{ deleted: string[]; kept: number }> {
  const graceMs = options.graceMs ?? importUploadGraceMs();
  const now = options.now ?? Date.now();
  // List before reading the jobs: a job queued for a listed upload meanwhile is still seen below.
  const found: { key: string; ageMs: number }[] = [];
  for await (const key of storage.list('imports/')) {
    const info = await storage.stat(key);
    if (info) found.push({ key, ageMs: now - info.modifiedAt.getTime() });
  }
  if (found.length === 0) return { deleted: [], kept: 0 };
  const active = await uploadKeysOf(prisma, { status: { in: ['QUEUED', 'RUNNING'] } });
  const young = found.filter((f) => !active.has(f.key) && f.ageMs < graceMs);
  // A young upload's job (if any) was queued after the upload was written: only recent jobs matter.
  const ended = young.length
    ? await uploadKeysOf(prisma, { status: { in: ['SUCCEEDED', 'FAILED', 'CANCELLED'] }, createdAt: { gte: new Date(now - graceMs - CLOCK_SLACK_MS) } })
    : new Set<string>();
  const deleted: string[] = [];
  for (const { key, ageMs } of found) {
    if (active.has(key) || (ageMs < graceMs && !ended.has(key))) continue;
    await storage.delete(key);
    deleted.push(key);
  }
  return { deleted, kept: found.length - deleted.length };
}

/**
 * For the worker: a function that sweeps at its first call and then at most every `intervalMs`
 * (call it at start and from the idle loop). Never throws; logs what it removed.
 */
export function periodicImportUploadSweep(prisma: PrismaClient, storage: BlobStorage, intervalMs = IMPORT_SWEEP_INTERVAL_MS) {
  let last = -Infinity;
  return async (): Promise<void> => {
    if (Date.now() - last < intervalMs) return;
    last = Date.now();
    try {
      const { deleted } = await sweepImportUploads(prisma, storage);
      if (deleted.length) console.log(`[worker] removed ${deleted.length} import upload(s) no job needs`);
    } catch (error) {
      console.error('[worker] import upload sweep failed', error);
    }
  };
}
