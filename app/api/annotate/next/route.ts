import { z } from 'zod';
import { nextFace } from '@/lib/api/annotate/next-face';
import { getDb } from '@/lib/server/db';
import { badRequest } from '@/lib/server/http/errors';
import { authed } from '@/lib/server/http/route';

/** Optional: the faces the editor is still saving (never served again, counted as recent work). */
const NextBody = z.object({ exclude: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)).max(20).default([]) });

/** Claims (or resumes) the caller's next face to annotate, under a lease. */
export const POST = authed('faces:label', async ({ req, user }) => {
  const text = await req.text();
  let body: unknown = {};
  try {
    if (text.trim()) body = JSON.parse(text);
  } catch {
    throw badRequest('The request body must be JSON (or empty)');
  }
  const { exclude } = NextBody.parse(body);
  return Response.json(await nextFace(await getDb(), user.id, { exclude }));
});
