import type { PrismaClient } from '@/lib/server/db';
import { publicUserSelect } from './schemas';

export function listUsers(prisma: PrismaClient) {
  return prisma.user.findMany({ select: publicUserSelect, orderBy: { createdAt: 'asc' } });
}
