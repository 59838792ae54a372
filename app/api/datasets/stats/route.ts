import { DatasetStatsQuery, datasetStats } from '@/lib/api/datasets/dataset-stats';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const GET = authed('datasets:read', async ({ req }) => {
  const { datasetId } = DatasetStatsQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  return Response.json(await datasetStats(await getDb(), datasetId));
});
