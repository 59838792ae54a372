import { z } from 'zod';
import type { PrismaClient } from '@/lib/server/db';
import { notFound } from '@/lib/server/http/errors';
import { ImportSummarySchema } from './summary';

/** What an IMPORT job carries: the uploaded file (kept in blob storage until the job ends) and the settings. */
export const ImportJobParams = z.object({
  uploadKey: z.string().regex(/^imports\/[a-z0-9-]+\.(zip|bin)$/),
  fileName: z.string().min(1).max(1024),
  archive: z.boolean(),
  bytes: z.number().int().nonnegative(),
  datasetId: z.string().optional(),
  datasetName: z.string().optional(),
  dryRun: z.boolean(),
  /** Who imports: Image.uploadedById, Face.labeledById, LabelEvent.userId. */
  userId: z.string().nullable(),
});
export type ImportJobParams = z.infer<typeof ImportJobParams>;

const importJobSelect = {
  id: true,
  status: true,
  params: true,
  progress: true,
  progressMessage: true,
  attempts: true,
  result: true,
  error: true,
  cancelRequested: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
} as const;

type Row = {
  id: string;
  status: string;
  params: unknown;
  progress: number;
  progressMessage: string | null;
  attempts: number;
  result: unknown;
  error: string | null;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

/** An import job as the browser sees it: the file, settings, progress and, once done, the summary. */
function view(row: Row) {
  const params = ImportJobParams.safeParse(row.params);
  const summary = ImportSummarySchema.safeParse(row.result);
  return {
    id: row.id,
    status: row.status as 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED',
    fileName: params.success ? params.data.fileName : '?',
    bytes: params.success ? params.data.bytes : 0,
    dataset: params.success ? (params.data.datasetName ?? params.data.datasetId ?? 'UTKFace') : '?',
    dryRun: params.success ? params.data.dryRun : false,
    progress: row.progress,
    progressMessage: row.progressMessage,
    attempts: row.attempts,
    cancelRequested: row.cancelRequested,
    summary: summary.success ? summary.data : null,
    error: row.error,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}
export type ImportJobView = ReturnType<typeof view>;

/** The latest import jobs (everyone who may import sees all of them: they change shared datasets). */
export async function listImportJobs(prisma: PrismaClient, take = 30): Promise<ImportJobView[]> {
  const rows = await prisma.job.findMany({ where: { kind: 'IMPORT' }, select: importJobSelect, orderBy: { createdAt: 'desc' }, take });
  return rows.map(view);
}

export async function getImportJob(prisma: PrismaClient, id: string): Promise<ImportJobView> {
  const row = await prisma.job.findFirst({ where: { id, kind: 'IMPORT' }, select: importJobSelect });
  if (!row) throw notFound('No such import');
  return view(row);
}
