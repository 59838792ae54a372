import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { uploadTempDir } from '@/lib/api/uploads/receive-upload';
import { blobs } from './blobs';
import { getDb } from './db';
import { findOrphanBlobs } from './storage/orphans';

const STALE_UPLOAD_MS = 60 * 60_000;

/**
 * Removes what an interrupted run left behind: upload temp files older than an hour (younger ones
 * may belong to another instance still receiving them) and blobs with no image row (a crash
 * between writing the file and committing the row).
 */
export async function sweepStartup(now = Date.now()): Promise<{ tempFiles: number; orphanBlobs: number }> {
  let tempFiles = 0;
  const dir = uploadTempDir();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info && now - info.mtimeMs > STALE_UPLOAD_MS) {
      await rm(file, { force: true });
      tempFiles++;
    }
  }
  const prisma = await getDb();
  let orphanBlobs = 0;
  const orphans = findOrphanBlobs(blobs(), {
    now,
    knownHashes: async (hashes) =>
      new Set(
        (await prisma.image.findMany({ where: { contentHash: { in: hashes } }, select: { contentHash: true } })).map(
          (i) => i.contentHash,
        ),
      ),
  });
  for await (const key of orphans) {
    await blobs().delete(key);
    orphanBlobs++;
  }
  if (tempFiles + orphanBlobs > 0) console.log(`[facet] startup sweep: ${tempFiles} stale upload(s), ${orphanBlobs} orphan blob(s) removed`);
  return { tempFiles, orphanBlobs };
}
