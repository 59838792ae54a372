import { cancelModelJob } from '@/lib/api/jobs/cancel-job';
import { getJob } from '@/lib/api/jobs/get-job';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** GET ?after=<log id>: a round's or re-score's state and log. */
export const GET = authed<{ id: string }>('models:manage', async ({ req, params }) =>
  Response.json(await getJob(await getDb(), params.id, Number(req.nextUrl.searchParams.get('after')) || 0)),
);

/** DELETE = cancel. */
export const DELETE = authed<{ id: string }>('models:manage', async ({ params }) => Response.json(await cancelModelJob(await getDb(), params.id)));
