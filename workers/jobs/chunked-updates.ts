import type { PrismaClient } from '@/lib/server/db';

type Update = ReturnType<PrismaClient['face']['updateMany']>;

/**
 * Runs one single-row update per item, `size` to a transaction: one commit (one fsync on SQLite)
 * per chunk instead of one per row, so re-scoring thousands of faces takes the write lock in a
 * few short bursts between the annotators' saves. Returns the number of rows each update changed.
 */
export async function updateInChunks<T>(prisma: PrismaClient, items: readonly T[], update: (item: T, index: number) => Update, size = 200): Promise<number[]> {
  const counts: number[] = [];
  for (let at = 0; at < items.length; at += size) {
    const results = await prisma.$transaction(items.slice(at, at + size).map((item, i) => update(item, at + i)));
    counts.push(...results.map((r) => r.count));
  }
  return counts;
}
