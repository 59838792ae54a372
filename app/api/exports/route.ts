import { listExports } from '@/lib/api/exports/list-exports';
import { ExportParams } from '@/lib/api/exports/schemas';
import { startExport } from '@/lib/api/exports/start-export';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

export const GET = authed('datasets:manage', async () => Response.json({ exports: await listExports(await getDb()) }));

export const POST = authed('datasets:manage', async ({ req, user }) => {
  const params = ExportParams.parse(await req.json());
  return Response.json({ export: await startExport(await getDb(), params, user.id) }, { status: 202 });
});
