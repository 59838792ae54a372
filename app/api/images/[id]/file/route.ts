import { serveImage } from '@/lib/api/images/serve-image';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const GET = authed<{ id: string }>('images:read', async ({ params }) => serveImage(await getDb(), params.id, 'file'));
