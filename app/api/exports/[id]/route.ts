import { cancelExport } from '@/lib/api/exports/cancel-export';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** DELETE = cancel: a queued export never starts; a running one stops within seconds and keeps no file. */
export const DELETE = authed<{ id: string }>('datasets:manage', async ({ params }) =>
  Response.json(await cancelExport(await getDb(), params.id)),
);
