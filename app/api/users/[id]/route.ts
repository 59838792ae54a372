import { UpdateUserInput } from '@/lib/api/users/schemas';
import { updateUser } from '@/lib/api/users/update-user';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const PATCH = authed<{ id: string }>('users:manage', async ({ req, params }) => {
  const input = UpdateUserInput.parse(await req.json());
  return Response.json(await updateUser(await getDb(), params.id, input));
});
