import { PendingQuery, listPending } from '@/lib/api/prelabel/list-pending';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** Images the given model version has not pre-labeled yet (the browser's work list), with counts. */
export const GET = authed('images:upload', async ({ req }) => {
  const query = PendingQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  return Response.json(await listPending(await getDb(), query));
});
