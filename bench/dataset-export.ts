/**
 * npm run bench:export — exports the full UTKFace set in UTKFace format, as the worker does.
 *
 *   npx tsx bench/dataset-export.ts [folder] [--limit N]
 *
 * Imports ../shared/data/utkface into a fresh SQLite database first (not timed here; see
 * bench:import), then times the EXPORT job: wall time, faces/s, peak RSS while exporting, zip size,
 * against a baseline measured in the same run: reading every stored image once (the I/O floor).
 * Goal (issue 5): under 60 s and under 500 MB peak RSS for the 23,708 faces on 2 cores.
 */
process.env.UV_THREADPOOL_SIZE ??= '16';

import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { limit: { type: 'string' } } });
  const folder = path.resolve(positionals[0] ?? path.join(__dirname, '../../shared/data/utkface'));
  if (!existsSync(folder)) {
    console.log(`bench:export: ${folder} is absent; nothing to measure (needs ../shared/data/utkface).`);
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-bench-export-'));
  process.env.FACET_DATA_DIR = dir;
  process.env.DATABASE_URL = `file:${path.join(dir, 'facet.db')}`;
  process.env.FACET_MAX_ZIP_ENTRIES ??= '100000';
  const { getDb, closeDb } = await import('@/lib/server/db');
  const { importUtkface } = await import('@/lib/api/imports/import-utkface');
  const { directorySource } = await import('@/lib/api/imports/sources');
  const { loadIngestLimits } = await import('@/lib/server/ingest/limits');
  const { startExport } = await import('@/lib/api/exports/start-export');
  const { ExportParams } = await import('@/lib/api/exports/schemas');
  const { handlers } = await import('@/workers/handlers');
  const { runOneJob } = await import('@/workers/runner');
  const { blobs } = await import('@/lib/server/blobs');

  const prisma = await getDb();
  const limit = values.limit ? Number(values.limit) : undefined;
  let source = directorySource(folder, loadIngestLimits());
  if (limit) {
    const all = source;
    source = { ...all, async *entries() { let n = 0; for await (const e of all.entries()) { if (n++ >= limit) return; yield e; } } } as typeof all;
  }
  const t0 = Date.now();
  const imported = await importUtkface(prisma, source, {});
  console.log(`setup: imported ${imported.imported} faces in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Baseline: read every stored image once.
  const images = await prisma.image.findMany({ select: { storageKey: true } });
  const b0 = Date.now();
  let bytes = 0;
  for (const image of images) bytes += (await blobs().get(image.storageKey)).length;
  const baseline = (Date.now() - b0) / 1000;

  // The setup import's blob-writer threads are let go after 5 s idle; measure the export without them.
  await new Promise((resolve) => setTimeout(resolve, 6_000));

  const user = await prisma.user.findFirstOrThrow();
  await startExport(prisma, ExportParams.parse({ filters: { statuses: ['IMPORTED'] } }), user.id);
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const e0 = Date.now();
  await runOneJob(prisma, 'bench', handlers);
  const seconds = (Date.now() - e0) / 1000;
  clearInterval(sampler);
  const record = await prisma.export.findFirstOrThrow({ include: { job: true } });
  const counts = record.counts as { faces: number; utkFiles: number };
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
  console.log(`baseline: read ${images.length} stored images (${mb(bytes)}) in ${baseline.toFixed(1)} s`);
  console.log(`export:   ${record.job.status}, ${counts.faces} faces (${counts.utkFiles} UTKFace files) in ${seconds.toFixed(1)} s = ${(counts.faces / seconds).toFixed(0)} faces/s`);
  console.log(`          zip ${mb(record.bytes ?? 0)}, peak RSS ${mb(peak)} (${mb(peak - rss0)} above the start of the export)`);
  console.log(`ratio:    export / read-only baseline = ${(seconds / baseline).toFixed(1)}×`);
  console.log(`goals:    < 60 s ${seconds < 60 ? 'MET' : 'NOT MET'}; peak RSS < 500 MB ${peak < 500 * 2 ** 20 ? 'MET' : 'NOT MET'}`);
  await closeDb();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
