import { ListImagesQuery, listImages } from '@/lib/api/images/list-images';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const GET = authed('images:read', async ({ req }) => {
  const query = ListImagesQuery.parse(Object.fromEntries(req.nextUrl.searchParams));
  return Response.json(await listImages(await getDb(), query));
});
