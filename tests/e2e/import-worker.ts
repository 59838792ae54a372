/**
 * A background worker for the import and export browser tests that runs only the job kinds
 * named on its command line (default IMPORT): the shared e2e server runs no worker, and other
 * browser tests' jobs must stay theirs. Started with tsx, FACET_DATA_DIR pointing at the
 * server's data directory; stops on SIGTERM.
 */
import { closeDb, getDb } from '@/lib/server/db';
import { runExportJob } from '@/workers/jobs/export-utkface';
import { runImportJob } from '@/workers/jobs/import-utkface';
import { type Handlers, workLoop } from '@/workers/runner';

const ALL: Handlers = { IMPORT: runImportJob, EXPORT: runExportJob };

async function main() {
  const prisma = await getDb();
  const stop = new AbortController();
  process.on('SIGTERM', () => stop.abort());
  const kinds = process.argv.slice(2).length ? process.argv.slice(2) : ['IMPORT'];
  const handlers = Object.fromEntries(kinds.map((k) => [k, ALL[k as keyof Handlers]])) as Handlers;
  await workLoop(prisma, handlers, stop.signal, 200);
  await closeDb();
}

main().catch((error) => {
  console.error('[import-worker] fatal', error);
  process.exit(1);
});
