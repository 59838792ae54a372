import { jsonBody } from '@/lib/api/faces/body';
import { SendBackBody } from '@/lib/api/review/schemas';
import { sendBack } from '@/lib/api/review/send-back';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const POST = authed('faces:review', async ({ req, user }) => {
  const body = SendBackBody.parse(await jsonBody(req));
  return Response.json(await sendBack(await getDb(), user.id, body));
});
