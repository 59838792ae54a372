import { listModels } from '@/lib/api/models/list-models';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** GET ?name=agegender: versions, metrics, the served version, recent rounds and re-scores. */
export const GET = authed('models:manage', async ({ req }) =>
  Response.json(await listModels(await getDb(), req.nextUrl.searchParams.get('name') ?? 'agegender')),
);
