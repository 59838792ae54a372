import { StatsQuery, annotateStats } from '@/lib/api/annotate/stats';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const GET = authed('faces:label', async ({ req, user }) => {
  const query = StatsQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  return Response.json(await annotateStats(await getDb(), user, query));
});
