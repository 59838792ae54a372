// Used by the Prisma CLI only (generate, migrate diff). The app applies migrations itself
// (lib/server/db/migrate.ts) for both SQLite and PostgreSQL; see README "Database".
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const provider = process.env.FACET_DB_PROVIDER === 'postgresql' ? 'postgresql' : 'sqlite';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'generated', provider, 'schema.prisma'),
  async adapter() {
    if (provider === 'postgresql') {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? 'postgresql://localhost/facet' });
    }
    const { PrismaBetterSQLite3 } = await import('@prisma/adapter-better-sqlite3');
    return new PrismaBetterSQLite3({ url: 'file::memory:' });
  },
});
