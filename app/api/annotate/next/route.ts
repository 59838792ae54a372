import { nextFace } from '@/lib/api/annotate/next-face';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** Claims (or resumes) the caller's next face to annotate, under a lease. */
export const POST = authed('faces:label', async ({ user }) => Response.json(await nextFace(await getDb(), user.id)));
