/**
 * npm run worker: claims and runs background jobs (exports, training, re-scoring) until stopped.
 * Several workers may run against one database; the job table's leases keep them apart.
 */
import 'dotenv/config';
import os from 'node:os';
import { blobs } from '@/lib/server/blobs';
import { closeDb, getDb } from '@/lib/server/db';
import { periodicImportUploadSweep } from '@/lib/server/jobs/import-upload-sweep';
import { handlers } from './handlers';
import { queueFeaturesIfNeeded } from './jobs/prefetch-features';
import { workLoop } from './runner';

/**
 * Background work yields the CPU to the web server when the machine is saturated: annotators wait on
 * every request, jobs do not. FACET_WORKER_NICE=0 turns it off. (On bench:load, 50 annotators on
 * 2 cores, the FEATURES prefetch still raised the save p95 from ~90–160 ms to ~300–400 ms with it:
 * the cores were not saturated, so priority did not decide it.)
 */
function lowerPriority() {
  const nice = Number(process.env.FACET_WORKER_NICE ?? 10);
  if (!Number.isFinite(nice) || nice <= 0) return;
  try {
    os.setPriority(Math.min(19, nice));
  } catch (error) {
    console.warn(`[worker] could not lower priority: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main() {
  lowerPriority();
  const prisma = await getDb();
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.log(`[worker] ${signal}: finishing the current job, then stopping`);
      stop.abort();
    });
  }
  console.log(`[worker] ready for ${Object.keys(handlers).join(', ')} jobs`);
  // At start and every 15 min when idle: delete import uploads no queued or running job needs.
  const sweepUploads = periodicImportUploadSweep(prisma, blobs());
  await sweepUploads();
  // Idle: fill the feature cache for newly labeled faces, so the next round starts warm.
  await workLoop(prisma, handlers, stop.signal, 1000, (idleForMs) => Promise.all([queueFeaturesIfNeeded(prisma, idleForMs), sweepUploads()]));
  await closeDb();
}

main().catch((error) => {
  console.error('[worker] fatal', error);
  process.exit(1);
});
