import { jsonBody } from '@/lib/api/faces/body';
import { createFace } from '@/lib/api/faces/create-face';
import { imageFaces } from '@/lib/api/images/image-faces';
import { CreateFaceBody } from '@/lib/api/faces/schemas';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** Draws a new face box on the image (with labels, or unlabeled into the queue). */
export const POST = authed<{ id: string }>('faces:label', async ({ req, params, user }) => {
  const body = CreateFaceBody.parse(await jsonBody(req));
  const result = await createFace(await getDb(), params.id, user.id, body);
  return Response.json(result, { status: result.replayed ? 200 : 201 });
});

/** The image with all its faces (boxes, predictions, labels): the image detail view. */
export const GET = authed<{ id: string }>('images:read', async ({ params }) => Response.json(await imageFaces(await getDb(), params.id)));
