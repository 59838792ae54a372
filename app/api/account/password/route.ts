import { ChangePasswordInput, changePassword } from '@/lib/api/account/change-password';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const POST = authed('account:self', async ({ req, user }) => {
  await changePassword(await getDb(), user.id, ChangePasswordInput.parse(await req.json()));
  return Response.json({ ok: true });
});
