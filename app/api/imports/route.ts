import { ImportQuery } from '@/lib/api/imports/import-upload';
import { listImportJobs } from '@/lib/api/imports/import-job';
import { startImportJob } from '@/lib/api/imports/start-import-job';
import { UploadHeaders } from '@/lib/api/uploads/upload-file';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** The latest import jobs with progress and, when finished, their summaries. */
export const GET = authed('datasets:manage', async () => Response.json({ imports: await listImportJobs(await getDb()) }));

/**
 * POST one file as the raw body — a .zip of UTKFace-named images or a single one — its name in
 * `x-file-name`; `?dataset=NAME` (default "UTKFace") or `x-dataset-id`; `?dryRun=1` to only
 * report. Answers 202 with the queued IMPORT job; the worker imports it in the background.
 */
export const POST = authed('datasets:manage', async ({ req, user }) => {
  const headers = UploadHeaders.parse(Object.fromEntries(req.headers));
  const query = ImportQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  const job = await startImportJob(await getDb(), req.body, { ...headers, ...query, userId: user.id });
  return Response.json({ import: job }, { status: 202 });
});
