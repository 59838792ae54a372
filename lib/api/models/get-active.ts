import type { PrismaClient } from '@/lib/server/db';
import { HttpError } from '@/lib/server/http/errors';
import { locate, resolveActive } from '@/lib/server/models/store';

/**
 * The version browsers should load: `{ name, version, url }` where url is a folder holding
 * manifest.json, model.json and the weights. A missing active folder is reported (`problem`) and
 * the newest earlier version with files is served instead; never a version without files.
 */
export async function getActiveModel(prisma: PrismaClient, name: string) {
  const { served, problem } = await resolveActive(prisma, name);
  if (!served) throw new HttpError(404, 'NO_MODEL', problem ?? `No usable version of ${name}`);
  if (problem) console.warn(`[models] ${problem}; serving ${served.version}`);
  return { name, version: served.version, url: locate(served).url, ...(problem ? { problem } : {}) };
}
