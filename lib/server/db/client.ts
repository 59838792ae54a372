import type { PrismaClient } from '@/prisma/generated/sqlite/client';
import { type DbProvider, providerOf, sqlitePath } from './provider';
import { registerSqliteConnection } from './raw';

export type { PrismaClient };

/**
 * How long a SQLite writer waits for another process's write lock before giving up with 503
 * DB_BUSY (FACET_SQLITE_BUSY_MS, default 10 s).
 */
export function sqliteBusyMs(): number {
  const value = Number(process.env.FACET_SQLITE_BUSY_MS);
  return Number.isFinite(value) && value > 0 ? value : 10_000;
}

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
    const factory = new ImmediateSQLiteAdapterFactory(sqlitePath(url), sqliteBusyMs());
    const client = new Client({ adapter: factory });
    if (process.env.FACET_SQLITE_DIRECT !== '0') registerSqliteConnection(client, () => factory.connection);
    return client;
  }
  const [{ PrismaClient: Client }, { PrismaPg }] = await Promise.all([
    import('@/prisma/generated/postgresql/client'),
    import('@prisma/adapter-pg'),
  ]);
  const client = new Client({ adapter: new PrismaPg({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 }) });
  return client as unknown as PrismaClient;
}
