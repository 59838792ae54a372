import { promoteVersion } from '@/lib/api/models/promote-version';
import { PromoteBody } from '@/lib/api/models/schemas';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** POST: make this version active (override a rejected one, or roll back). */
export const POST = authed<{ id: string }>('models:manage', async ({ req, user, params }) => {
  const body = PromoteBody.parse(await req.json().catch(() => ({})));
  return Response.json(await promoteVersion(await getDb(), params.id, user.id, body.reason));
});
