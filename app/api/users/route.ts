import { createUser } from '@/lib/api/users/create-user';
import { listUsers } from '@/lib/api/users/list-users';
import { CreateUserInput } from '@/lib/api/users/schemas';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const GET = authed('users:manage', async () => Response.json({ users: await listUsers(await getDb()) }));

export const POST = authed('users:manage', async ({ req }) => {
  const input = CreateUserInput.parse(await req.json());
  return Response.json(await createUser(await getDb(), input), { status: 201 });
});
