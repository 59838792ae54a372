import type { PrismaClient } from '@/lib/server/db';
import { exportSelect } from './schemas';

export function listExports(prisma: PrismaClient, take = 50) {
  return prisma.export.findMany({ select: exportSelect, orderBy: { createdAt: 'desc' }, take });
}
