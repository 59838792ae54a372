import { cancelImportJob } from '@/lib/api/imports/cancel-import-job';
import { getImportJob } from '@/lib/api/imports/import-job';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const GET = authed<{ id: string }>('datasets:manage', async ({ params }) =>
  Response.json({ import: await getImportJob(await getDb(), params.id) }),
);

/** DELETE = cancel: a queued import never starts; a running one stops after the batch in hand. */
export const DELETE = authed<{ id: string }>('datasets:manage', async ({ params }) =>
  Response.json(await cancelImportJob(await getDb(), params.id)),
);
