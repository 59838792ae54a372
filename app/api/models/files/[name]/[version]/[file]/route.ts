import { serveModelFile } from '@/lib/api/models/serve-model-file';
import { getDb } from '@/lib/server/db';
import { authed } from '@/lib/server/http/route';

/** GET: manifest.json / model.json / weights of a trained version (fixed types, nosniff). */
export const GET = authed<{ name: string; version: string; file: string }>('faces:label', async ({ params }) =>
  serveModelFile(await getDb(), params.name, params.version, params.file),
);
