/**
 * Imports UTKFace-named images as ground truth.
 *
 *   npm run import -- <folder|zip|image> [--dataset NAME] [--dry-run] [--user EMAIL] [--json]
 *
 * Uses DATABASE_URL / FACET_DATA_DIR like the server. Prints progress and a summary; exit code 0
 * when the import ran (rejected files are reported, not fatal), 1 when it stopped early or failed,
 * 2 on a usage error.
 */
// Blob writes (fsync) and image decoding share libuv's thread pool: give it room before first use.
process.env.UV_THREADPOOL_SIZE ??= '64';

import 'dotenv/config';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = 'usage: npm run import -- <folder|zip|image> [--dataset NAME] [--dry-run] [--user EMAIL] [--json]';

function usage(message: string): never {
  console.error(message);
  console.error(USAGE);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        dataset: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        user: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parse();
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) usage(positionals.length === 0 ? 'Give one folder, .zip or image to import.' : 'Give exactly one folder, .zip or image.');
  const target = positionals[0];
  if (!existsSync(target)) usage(`${target}: no such file or folder`);
  if (values.dataset !== undefined && values.dataset.trim() === '') usage('--dataset needs a name');

  const [{ getDb, closeDb }, { importUtkface, DEFAULT_IMPORT_DATASET }, { sourceForPath }, { loadIngestLimits }, { describeSummary }] =
    await Promise.all([
      import('@/lib/server/db'),
      import('@/lib/api/imports/import-utkface'),
      import('@/lib/api/imports/sources'),
      import('@/lib/server/ingest/limits'),
      import('@/lib/api/imports/summary'),
    ]);
  const limits = loadIngestLimits();
  // A local operator's archive: the per-zip entry cap (meant for web uploads) only applies when set explicitly.
  if (!process.env.FACET_MAX_ZIP_ENTRIES) limits.maxZipEntries = Math.max(limits.maxZipEntries, 1_000_000);

  try {
    const prisma = await getDb();
    let userId: string | null = null;
    if (values.user) {
      const user = await prisma.user.findUnique({ where: { email: values.user.toLowerCase() }, select: { id: true } });
      if (!user) usage(`--user ${values.user}: no such user`);
      userId = user.id;
    }
    const source = await sourceForPath(target, limits).catch((error: Error) => usage(error.message));
    const dryRun = values['dry-run'];
    const tty = process.stderr.isTTY;
    let lastLine = 0;
    const started = Date.now();
    const onProgress = (done: number, total: number) => {
      const rate = done / Math.max((Date.now() - started) / 1000, 0.001);
      const text = `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${total ? Math.floor((done / total) * 100) : 100}%) · ${Math.round(rate)} files/s`;
      if (tty) process.stderr.write(`\r${text}   `);
      else if (Math.floor(done / 1000) > Math.floor(lastLine / 1000) || done === total) process.stderr.write(`${text}\n`);
      lastLine = done;
    };
    console.error(`${dryRun ? 'Dry run: checking' : 'Importing'} ${source.label} into dataset "${values.dataset?.trim() || DEFAULT_IMPORT_DATASET}"…`);
    const summary = await importUtkface(prisma, source, { datasetName: values.dataset, dryRun, userId, onProgress, limits });
    if (tty) process.stderr.write('\n');

    if (values.json) {
      console.log(JSON.stringify(summary, null, 2));
    } else {
      const { dataset } = summary;
      console.log(`${dryRun ? 'DRY RUN — nothing was written. ' : ''}Dataset "${dataset.name}"${dataset.created ? (dryRun ? ' (would be created)' : ' (created)') : ''}`);
      console.log(`${summary.total.toLocaleString('en-US')} entries in ${(summary.durationMs / 1000).toFixed(1)} s: ${describeSummary(summary)}`);
      const list = (title: string, rows: string[], count: number) => {
        if (count === 0) return;
        console.log(`\n${title} (${count.toLocaleString('en-US')}${rows.length < count ? `, first ${rows.length} listed` : ''}):`);
        for (const row of rows) console.log(`  ${row}`);
      };
      list('Rejected', summary.rejected.map((r) => `${r.name}: ${r.reason}`), summary.rejectedCount);
      list('Duplicates named with other labels', summary.conflicts.map((c) => `${c.name}: ${c.reason}`), summary.conflictsCount);
      list('Quirky names forgiven', summary.quirks.map((q) => `${q.name}: ${q.quirks.join(', ')}`), summary.quirksCount);
      list(dryRun ? 'Would be stored unlabeled' : 'Stored unlabeled', summary.unlabeledNames.map((u) => `${u.name}: ${u.reason}`), summary.unlabeled);
      if (summary.error) console.error(`\nStopped: ${summary.error.message}`);
    }
    return summary.error ? 1 : 0;
  } finally {
    await closeDb();
  }
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
