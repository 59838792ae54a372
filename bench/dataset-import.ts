/**
 * Bench: import the full UTKFace set (../shared/data/utkface, or the folder given as the first
 * argument / FACET_BENCH_UTKFACE) into a fresh SQLite database in a temp dir.
 *
 *   npx tsx bench/dataset-import.ts [folder] [--keep] [--limit N] [--tmp DIR]
 *
 * (--tmp puts the database and blob storage under DIR, e.g. /dev/shm to take the disk's fsync
 * out of the measurement; the default is the OS temp dir, on disk.)
 * Prints wall time, files/s and peak RSS (process.memoryUsage().rss sampled every 100 ms) of
 * (1) the import, (2) a re-run of it (everything a duplicate), and two baselines measured in the
 * same run: reading + hashing every file, and normalizeImage alone on 1,000 files (extrapolated),
 * with the import's ratio to each. Target: full import < 60 s, peak RSS < 500 MB.
 * Exits 0 with a message when the data set is absent.
 */
process.env.UV_THREADPOOL_SIZE ??= '64'; // before anything touches libuv's pool (fs + sharp share it)

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

type Phase = { label: string; ms: number; cpuMs: number; files: number; peakRss: number };

function sampler() {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

async function measure(label: string, files: number, run: () => Promise<number | void>): Promise<Phase> {
  if (global.gc) global.gc();
  const rss = sampler();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const counted = await run();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { label, ms, cpuMs: (cpu.user + cpu.system) / 1000, files: typeof counted === 'number' ? counted : files, peakRss: rss.stop() };
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { keep: { type: 'boolean', default: false }, limit: { type: 'string' }, tmp: { type: 'string' } },
  });
  const source = path.resolve(positionals[0] ?? process.env.FACET_BENCH_UTKFACE ?? path.join(__dirname, '..', '..', 'shared', 'data', 'utkface'));
  if (!existsSync(source)) {
    console.log(`bench/dataset-import: ${source} is absent (the UTKFace set lives outside the repo); nothing to measure.`);
    return;
  }
  const tmp = mkdtempSync(path.join(values.tmp ?? process.env.FACET_BENCH_TMP ?? os.tmpdir(), 'facet-bench-import-'));
  process.env.FACET_DATA_DIR = tmp;
  process.env.DATABASE_URL = `file:${path.join(tmp, 'facet.db')}`;
  process.env.FACET_ADMIN_PASSWORD ??= 'bench-admin-password';
  delete process.env.FACET_STORAGE_DIR;
  const [{ getDb, closeDb }, { importUtkface }, { directorySource }, { loadIngestLimits }, { normalizeImage, sha256Hex }, fsp, { describeSummary }] =
    await Promise.all([
      import('@/lib/server/db'),
      import('@/lib/api/imports/import-utkface'),
      import('@/lib/api/imports/sources'),
      import('@/lib/server/ingest/limits'),
      import('@/lib/server/ingest/normalize-image'),
      import('node:fs/promises'),
      import('@/lib/api/imports/summary'),
    ]);
  const limits = loadIngestLimits();
  const limit = values.limit ? Number(values.limit) : Infinity;
  const allNames = (await fsp.readdir(source)).filter((n) => n.includes('jpg')).sort();
  const names = allNames.slice(0, Math.min(limit, allNames.length));
  let folder = source;
  if (names.length < allNames.length) {
    folder = path.join(tmp, 'subset');
    await fsp.mkdir(folder);
    for (const n of names) await fsp.copyFile(path.join(source, n), path.join(folder, n)); // (symlinks are not followed)
  }
  const prisma = await getDb();
  console.log(`source ${folder}: ${names.length.toLocaleString('en-US')} images · temp ${tmp} · ${os.cpus().length} cores · UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}`);

  let lastLine = 0;
  const onProgress = (done: number, total: number) => {
    if (done - lastLine >= 5000 || done === total) {
      lastLine = done;
      process.stdout.write(`  … ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}\n`);
    }
  };
  let summaryText = '';
  const importPhase = await measure('import (fresh SQLite)', names.length, async () => {
    const s = await importUtkface(prisma, directorySource(folder, limits), { datasetName: 'UTKFace', onProgress, limits });
    summaryText = describeSummary(s);
    if (s.error) throw new Error(s.error.message);
    return s.imported + s.duplicates + s.unlabeled;
  });
  console.log(`  ${summaryText}`);
  lastLine = 0;
  let rerunText = '';
  const rerun = await measure('re-run (all duplicates)', names.length, async () => {
    const s = await importUtkface(prisma, directorySource(folder, limits), { datasetName: 'UTKFace', onProgress, limits });
    rerunText = describeSummary(s);
  });
  console.log(`  ${rerunText}`);
  const faces = await prisma.face.count();
  const events = await prisma.labelEvent.count();

  const readHash = await measure('baseline: read + sha256 every file', names.length, async () => {
    let i = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (i < names.length) sha256Hex(await fsp.readFile(path.join(folder, names[i++])));
      }),
    );
  });
  const sample = names.slice(0, Math.min(1000, names.length));
  const normalize = await measure(`baseline: normalizeImage alone, ${sample.length} files`, sample.length, async () => {
    let i = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (i < sample.length) await normalizeImage(await fsp.readFile(path.join(folder, sample[i++])), limits);
      }),
    );
  });
  const normalizeFull = (normalize.ms / sample.length) * names.length;

  await closeDb();
  const rows = [importPhase, rerun, readHash, normalize];
  console.log('\nphase                                          time      files/s   peak RSS   CPU (user+sys)');
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(46)} ${sec(r.ms).padStart(8)} ${Math.round((r.files / r.ms) * 1000).toString().padStart(9)} ${mb(r.peakRss).padStart(10)} ` +
        `${sec(r.cpuMs).padStart(9)} (${((r.cpuMs / r.files) * 1000).toFixed(0)} µs/file)`,
    );
  }
  console.log(`\nfaces ${faces.toLocaleString('en-US')} · label events ${events.toLocaleString('en-US')} · process max RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
  console.log(`normalizeImage alone, extrapolated to ${names.length.toLocaleString('en-US')} files: ${sec(normalizeFull)}`);
  console.log(`ratio import / (normalizeImage alone): ${(importPhase.ms / normalizeFull).toFixed(2)}`);
  console.log(`ratio import / (read + hash):          ${(importPhase.ms / readHash.ms).toFixed(1)}`);
  const ok = importPhase.ms < 60_000 && importPhase.peakRss < 500 * 2 ** 20;
  console.log(`target (< 60 s, < 500 MB peak RSS) for ${names.length.toLocaleString('en-US')} files: ${ok ? 'met' : 'NOT met'}`);
  console.log(
    JSON.stringify({
      files: names.length,
      importMs: Math.round(importPhase.ms),
      importCpuMs: Math.round(importPhase.cpuMs),
      filesPerSec: Math.round((importPhase.files / importPhase.ms) * 1000),
      peakRssMb: Math.round(importPhase.peakRss / 2 ** 20),
      rerunMs: Math.round(rerun.ms),
      readHashMs: Math.round(readHash.ms),
      normalizeExtrapolatedMs: Math.round(normalizeFull),
      ratioToNormalize: Number((importPhase.ms / normalizeFull).toFixed(2)),
      loadavg: os.loadavg().map((l) => Number(l.toFixed(1))),
    }),
  );
  if (!values.keep) rmSync(tmp, { recursive: true, force: true });
  else console.log(`kept ${tmp}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
