import type { PrismaClient } from '@/lib/server/db';
import type { Gender, Race } from '@/lib/domain/labels';
import { list, query } from '@/lib/server/db/raw';

export type KnownImage = {
  id: string;
  contentHash: string;
  width: number;
  height: number;
  sourceName: string;
  /** Its first IMPORTED face, if any. */
  imported: { age: number | null; gender: Gender | null; race: Race | null } | null;
};

/**
 * The images among `hashes` that are already in the library. One plain SELECT per batch (the
 * common case of a fresh import finds none, and Prisma's query planning of a 256-value IN list
 * with a nested relation cost more than the query itself); their IMPORTED faces are only looked
 * up when there are any.
 */
export async function findKnownImages(prisma: PrismaClient, hashes: string[]): Promise<Map<string, KnownImage>> {
  const known = new Map<string, KnownImage>();
  if (hashes.length === 0) return known;
  const rows = await query<Omit<KnownImage, 'imported'>>(
    prisma,
    `SELECT "id", "contentHash", "width", "height", "sourceName" FROM "Image" WHERE "contentHash" IN (${list(hashes.length)})`,
    ...hashes,
  );
  if (rows.length === 0) return known;
  const faces = await prisma.face.findMany({
    where: { imageId: { in: rows.map((r) => r.id) }, status: 'IMPORTED' },
    select: { imageId: true, age: true, gender: true, race: true },
    orderBy: { createdAt: 'asc' },
  });
  const first = new Map<string, KnownImage['imported']>();
  for (const f of faces) if (!first.has(f.imageId)) first.set(f.imageId, { age: f.age, gender: f.gender, race: f.race });
  for (const r of rows) {
    known.set(r.contentHash, { ...r, width: Number(r.width), height: Number(r.height), imported: first.get(r.id) ?? null });
  }
  return known;
}
