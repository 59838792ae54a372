import type { PrismaClient } from '@/lib/server/db';

export function listDatasets(prisma: PrismaClient) {
  return prisma.dataset.findMany({
    select: { id: true, name: true, description: true, createdAt: true, _count: { select: { images: true } } },
    orderBy: { name: 'asc' },
  });
}
