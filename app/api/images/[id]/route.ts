import { deleteImage } from '@/lib/api/images/delete-image';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const DELETE = authed<{ id: string }>('images:delete', async ({ params, user }) =>
  Response.json(await deleteImage(await getDb(), params.id, user.id)),
);
