import type { PrismaClient } from '@/prisma/generated/sqlite/client';
import { type DbProvider, providerOf, sqlitePath } from './provider';

export type { PrismaClient };

/**
 * A Prisma client for DATABASE_URL's provider. The two generated clients have the same API
 * (one source schema); the SQLite client's types stand for both.
 */
export async function createPrismaClient(url: string): Promise<PrismaClient> {
  const provider: DbProvider = providerOf(url);
  if (provider === 'sqlite') {
    const [{ PrismaClient: Client }, { ImmediateSQLiteAdapterFactory }] = await Promise.all([
      import('@/prisma/generated/sqlite/client'),
      import('./sqlite-adapter'),
    ]);
    return new Client({ adapter: new ImmediateSQLiteAdapterFactory(sqlitePath(url)) });
  }
  const [{ PrismaClient: Client }, { PrismaPg }] = await Promise.all([
    import('@/prisma/generated/postgresql/client'),
    import('@prisma/adapter-pg'),
  ]);
  const client = new Client({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  return client as unknown as PrismaClient;
}
