import { SaveLabelBody, saveLabel } from '@/lib/api/annotate/save-label';
import { jsonBody } from '@/lib/api/faces/body';
import { deleteFace } from '@/lib/api/faces/delete-face';
import { getFace } from '@/lib/api/faces/get-face';
import { DeleteFaceQuery } from '@/lib/api/faces/schemas';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** One face for the editor, with its image, the image's other faces and the label history. */
export const GET = authed<{ id: string }>('faces:label', async ({ params, user }) =>
  Response.json(await getFace(await getDb(), params.id, user.id)),
);

/** Save: label / accept / skip / box, at the version the editor loaded (409 when stale). */
export const PATCH = authed<{ id: string }>('faces:label', async ({ req, params, user }) => {
  const body = SaveLabelBody.parse(await jsonBody(req));
  return Response.json(await saveLabel(await getDb(), params.id, user.id, body));
});

/** Removes a face (a false detection): ?version=N[&requestId=…]. */
export const DELETE = authed<{ id: string }>('faces:label', async ({ req, params, user }) => {
  const query = DeleteFaceQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  return Response.json(await deleteFace(await getDb(), params.id, user.id, query));
});
