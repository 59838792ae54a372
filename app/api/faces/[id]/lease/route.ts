import { releaseLease } from '@/lib/api/annotate/release-lease';
import { renewLease } from '@/lib/api/annotate/renew-lease';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** Renews the caller's lease on a served face (call it while the editor is open). */
export const POST = authed<{ id: string }>('faces:label', async ({ params, user }) =>
  Response.json(await renewLease(await getDb(), params.id, user.id)),
);

/** Gives the face back to the queue (editor closed without saving). */
export const DELETE = authed<{ id: string }>('faces:label', async ({ params, user }) =>
  Response.json(await releaseLease(await getDb(), params.id, user.id)),
);
