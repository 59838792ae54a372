import { UploadHeaders, uploadFile } from '@/lib/api/uploads/upload-file';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/**
 * POST one file as the raw body (an image or a .zip), its name in `x-file-name`.
 * 200 when anything was stored or found already present, 422 when nothing was usable.
 */
export const POST = authed('images:upload', async ({ req, user }) => {
  const headers = UploadHeaders.parse(Object.fromEntries(req.headers));
  const report = await uploadFile(await getDb(), req.body, headers, user.id);
  const usable = report.counts.stored + report.counts.duplicate > 0;
  return Response.json(report, { status: usable || (!report.error && report.counts.rejected === 0) ? 200 : 422 });
});
