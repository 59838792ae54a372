/**
 * Upload fuzzing: `npm run fuzz:upload -- [--count 3000] [--seed 1] [--concurrency 4] [--keep]`
 *
 * Starts Facet's production server on 127.0.0.1 with a fresh data directory (FACET_APP_DIR to run
 * another copy of the build), signs in, and sends --count mutated JPEG/PNG/ZIP inputs to
 * POST /api/uploads (bit flips, overwritten runs, truncation, appended garbage, JPEG/PNG header
 * dimensions, zip header tampering incl. traversal names, script/SVG/HTML bodies named as images;
 * see tests/faults/support/upload-fuzz.ts). Asserts: every answer is 2xx/4xx, the server stays
 * healthy, and afterwards every stored image decodes, every row has its files, no blob lacks a row,
 * no temp file is left, and stored files are served with an image type and nosniff. Exit 1 otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { signInCookie } from '../tests/support/http-session';
import { startFacet } from '../tests/faults/support/facet';
import { checkStore, openDb } from '../tests/faults/support/store-check';
import { runFuzz } from '../tests/faults/support/upload-fuzz';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'facet-fuzz-'));
  const env = { FACET_DATA_DIR: dataDir, DATABASE_URL: '', FACET_ADMIN_EMAIL: 'admin@fuzz.local', FACET_ADMIN_PASSWORD: 'fuzz-admin-password' };
  const facet = await startFacet(env);
  let failed = false;
  try {
    const cookie = await signInCookie(facet.url, env.FACET_ADMIN_EMAIL, env.FACET_ADMIN_PASSWORD);
    const t0 = performance.now();
    const result = await runFuzz({
      url: facet.url,
      cookie,
      seed: Number(values.seed),
      count: Number(values.count),
      concurrency: Number(values.concurrency),
      onProgress: (n) => n % 500 === 0 && console.log(`  ${n} sent`),
    });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`== fuzz:upload: ${result.cases} inputs in ${seconds.toFixed(1)} s (${(result.cases / seconds).toFixed(1)}/s), seed ${values.seed}`);
    console.log(`   answers: ${JSON.stringify(result.byStatus)}; images stored: ${result.stored}`);
    for (const [kind, counts] of Object.entries(result.byKind).sort()) console.log(`     ${kind.padEnd(24)} ${JSON.stringify(counts)}`);
    const store = await checkStore(dataDir);
    const db = openDb(dataDir);
    const ids = db.prepare('SELECT id FROM "Image"').all() as { id: string }[];
    db.close();
    const badServes: string[] = [];
    for (const { id } of ids.slice(0, 50)) {
      const res = await fetch(`${facet.url}/api/images/${id}/file`, { headers: { cookie } });
      await res.arrayBuffer();
      if (res.status !== 200 || !/^image\/(jpeg|png)$/.test(res.headers.get('content-type') ?? '') || res.headers.get('x-content-type-options') !== 'nosniff') {
        badServes.push(`${id}: ${res.status} ${res.headers.get('content-type')} ${res.headers.get('x-content-type-options')}`);
      }
    }
    const healthy = (await fetch(`${facet.url}/api/health`)).ok;
    console.log(`   store: ${store.rows} rows, ${store.blobs} blobs; orphan blobs ${store.orphanBlobs.length}, missing blobs ${store.missingBlobs.length}, undecodable ${store.undecodable.length}, temp files ${store.tempFiles.length}`);
    console.log(`   5xx/3xx answers: ${result.serverErrors.length}; dropped connections: ${result.networkErrors.length}; served wrongly: ${badServes.length}; healthy at the end: ${healthy}`);
    for (const line of [...result.serverErrors, ...result.networkErrors, ...badServes].slice(0, 20)) console.log(`     ${line}`);
    failed = !healthy || result.serverErrors.length + result.networkErrors.length + badServes.length > 0 || store.orphanBlobs.length + store.missingBlobs.length + store.undecodable.length + store.tempFiles.length > 0;
    if (/unhandled error in route/.test(facet.logs())) {
      console.log('   the server logged unhandled errors:\n' + facet.logs().split('\n').filter((l) => /unhandled|Error/.test(l)).slice(0, 10).join('\n'));
      failed = true;
    }
  } finally {
    await facet.kill();
    if (values.keep) console.log(`kept ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(failed ? 'FAILED' : 'ok');
  if (failed) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
