import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { parseBlobKey } from '@/lib/server/storage/keys';

/**
 * The image store and the SQLite database of a Facet data directory, compared: blobs whose hash
 * has no row (orphans), rows whose blobs are missing, stored images that do not decode, and
 * upload temp files left behind.
 */
export type StoreReport = { rows: number; blobs: number; orphanBlobs: string[]; missingBlobs: string[]; undecodable: string[]; tempFiles: string[] };

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.name.startsWith('.')) return []; // the store's own temp folder
    return e.isDirectory() ? walk(full) : [full];
  });
}

export function openDb(dataDir: string) {
  return new Database(path.join(dataDir, 'facet.db'), { timeout: 10_000 });
}

export async function checkStore(dataDir: string, { decode = true } = {}): Promise<StoreReport> {
  const storage = path.join(dataDir, 'storage');
  const db = openDb(dataDir);
  let rows: { contentHash: string; storageKey: string; thumbKey: string }[];
  try {
    rows = db.prepare('SELECT contentHash, storageKey, thumbKey FROM "Image"').all() as typeof rows;
  } finally {
    db.close();
  }
  const known = new Set(rows.map((r) => r.contentHash));
  const keys = [...walk(path.join(storage, 'images')), ...walk(path.join(storage, 'thumbs'))].map((f) => path.relative(storage, f).split(path.sep).join('/'));
  const orphanBlobs = keys.filter((k) => {
    const parsed = parseBlobKey(k);
    return !parsed || !known.has(parsed.hash);
  });
  const present = new Set(keys);
  const missingBlobs = rows.flatMap((r) => [r.storageKey, r.thumbKey].filter((k) => !present.has(k)));
  const undecodable: string[] = [];
  if (decode) {
    for (const r of rows) {
      if (!present.has(r.storageKey)) continue;
      try {
        await sharp(path.join(storage, r.storageKey), { failOn: 'error' }).raw().toBuffer();
      } catch {
        undecodable.push(r.storageKey);
      }
    }
  }
  return { rows: rows.length, blobs: keys.length, orphanBlobs, missingBlobs, undecodable, tempFiles: walk(path.join(dataDir, 'tmp', 'uploads')) };
}

/** Makes every stored file and upload temp file look `ms` older (so start-up sweeps consider them stale). */
export function ageFiles(dataDir: string, ms: number) {
  const when = (Date.now() - ms) / 1000;
  for (const file of [...walk(path.join(dataDir, 'storage')), ...walk(path.join(dataDir, 'tmp'))]) {
    if (statSync(file).isFile()) utimesSync(file, when, when);
  }
}
