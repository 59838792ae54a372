import { getActiveModel } from '@/lib/api/models/get-active';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** GET ?name=agegender → { name, version, url }: the model version browsers pre-label with. */
export const GET = authed('faces:label', async ({ req }) =>
  Response.json(await getActiveModel(await getDb(), req.nextUrl.searchParams.get('name') ?? 'agegender'), {
    headers: { 'cache-control': 'no-store' },
  }),
);
