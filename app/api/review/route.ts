import { listReview } from '@/lib/api/review/list-review';
import { ReviewQuery } from '@/lib/api/review/schemas';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const GET = authed('faces:review', async ({ req }) => {
  const query = ReviewQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  return Response.json(await listReview(await getDb(), query));
});
