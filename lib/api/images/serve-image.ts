import { Readable } from 'node:stream';
import type { PrismaClient } from '@/lib/server/db';
import { blobs } from '@/lib/server/blobs';
import { query } from '@/lib/server/db/raw';
import { notFound } from '@/lib/server/http/errors';

/**
 * Stored bytes go out only with the type Facet itself decided at upload (never one derived from
 * the user's file name), with nosniff and a sandboxing CSP, so an upload can never run as a page.
 */
export async function serveImage(prisma: PrismaClient, id: string, variant: 'file' | 'thumb'): Promise<Response> {
  // Raw SQL: one of the annotation loop's three requests (see lib/server/db/raw.ts).
  const [image] = await query<{ storageKey: string; thumbKey: string; mimeType: string; contentHash: string }>(
    prisma,
    'SELECT "storageKey", "thumbKey", "mimeType", "contentHash" FROM "Image" WHERE "id" = ?',
    id,
  );
  if (!image) throw notFound('No such image');
  const key = variant === 'thumb' ? image.thumbKey : image.storageKey;
  const type = variant === 'thumb' ? 'image/jpeg' : image.mimeType === 'image/png' ? 'image/png' : 'image/jpeg';
  const stream = await blobs().stream(key);
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      'Content-Type': type,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Content-Disposition': 'inline',
      'Cache-Control': 'private, max-age=31536000, immutable',
      ETag: `"${image.contentHash}-${variant}"`,
    },
  });
}
