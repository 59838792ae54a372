import { downloadExport } from '@/lib/api/exports/download-export';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const GET = authed<{ id: string }>('datasets:manage', async ({ params }) => downloadExport(await getDb(), params.id));
