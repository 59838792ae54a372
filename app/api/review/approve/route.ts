import { jsonBody } from '@/lib/api/faces/body';
import { approveFaces } from '@/lib/api/review/approve-faces';
import { ApproveBody } from '@/lib/api/review/schemas';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const POST = authed('faces:review', async ({ req, user }) => {
  const body = ApproveBody.parse(await jsonBody(req));
  return Response.json(await approveFaces(await getDb(), user.id, body));
});
