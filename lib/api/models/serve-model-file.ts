import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PrismaClient } from '@/lib/server/db';
import { notFound } from '@/lib/server/http/errors';
import { MODEL_FILE_RE, assertModelName, assertVersion, locate, versionFiles } from '@/lib/server/models/store';

const TYPES: Record<string, string> = { json: 'application/json', bin: 'application/octet-stream' };

/**
 * One file of a trained version from the model store. Only versions with a row, valid names and
 * all their files present are served, only the files their manifest names, with a fixed type.
 */
export async function serveModelFile(prisma: PrismaClient, name: string, version: string, file: string): Promise<Response> {
  assertModelName(name);
  assertVersion(version);
  if (!MODEL_FILE_RE.test(file)) throw notFound('No such model file');
  const row = await prisma.modelVersion.findUnique({ where: { name_version: { name, version } }, select: { name: true, version: true, path: true } });
  if (!row || !row.path.startsWith('store:')) throw notFound('No such model version');
  const files = versionFiles(row);
  if (!files) throw notFound(`The files of ${name} ${version} are missing`);
  if (!files.includes(file)) throw notFound('No such model file');
  const body = await readFile(path.join(locate(row).dir, file));
  return new Response(new Uint8Array(body), {
    headers: {
      'content-type': TYPES[file.split('.').pop()!],
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, max-age=31536000, immutable',
      'content-length': String(body.byteLength),
    },
  });
}
