import { RoundParams } from '@/lib/api/models/schemas';
import { startRound } from '@/lib/api/models/start-round';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** POST: start a fine-tune round (202), 409 while one runs, 400 when nothing new was labeled. */
export const POST = authed('models:manage', async ({ req, user }) => {
  const params = RoundParams.parse(await req.json().catch(() => ({})));
  return Response.json(await startRound(await getDb(), params, user.id), { status: 202 });
});
