import { Readable } from 'node:stream';
import type { PrismaClient } from '@/lib/server/db';
import { blobs } from '@/lib/server/blobs';
import { HttpError, notFound } from '@/lib/server/http/errors';

/** Streams a finished export; unfinished, cancelled or failed exports have no file to offer. */
export async function downloadExport(prisma: PrismaClient, id: string): Promise<Response> {
  const record = await prisma.export.findUnique({ where: { id }, select: { storageKey: true, bytes: true, createdAt: true } });
  if (!record) throw notFound('No such export');
  if (!record.storageKey) throw new HttpError(409, 'NOT_READY', 'This export has no finished file');
  const stream = await blobs().stream(record.storageKey);
  const stamp = record.createdAt.toISOString().slice(0, 19).replace(/[-:T]/g, '');
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="facet-utkface-export-${stamp}.zip"`,
      'X-Content-Type-Options': 'nosniff',
      ...(record.bytes ? { 'Content-Length': String(record.bytes) } : {}),
    },
  });
}
