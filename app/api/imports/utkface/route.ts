import { ImportQuery, NDJSON, receiveUtkfaceImport, streamImport } from '@/lib/api/imports/import-upload';
import { UploadHeaders } from '@/lib/api/uploads/upload-file';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/**
 * POST one file as the raw body — a .zip of UTKFace-named images or a single one — its name in
 * `x-file-name`; `?dataset=NAME` (default "UTKFace") or `x-dataset-id`; `?dryRun=1` to only report.
 * Answers the import summary as JSON (422 when the import could not run or stopped), or, with
 * `Accept: application/x-ndjson`, streams progress lines and then the summary.
 */
export const POST = authed('datasets:manage', async ({ req, user }) => {
  const headers = UploadHeaders.parse(Object.fromEntries(req.headers));
  const query = ImportQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  const received = await receiveUtkfaceImport(await getDb(), req.body, { ...headers, ...query, userId: user.id });
  if ((req.headers.get('accept') ?? '').includes(NDJSON)) return streamImport(received);
  const summary = await received.run();
  return Response.json(summary, { status: summary.error ? 422 : 200 });
});
