import { listDatasets } from '@/lib/api/datasets/list-datasets';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const GET = authed('datasets:read', async () => Response.json({ datasets: await listDatasets(await getDb()) }));
