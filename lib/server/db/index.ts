import { config } from '../config';
import { type PrismaClient, createPrismaClient } from './client';
import { migrate } from './migrate';
import { ensureAdmin } from './bootstrap';

export type { PrismaClient };

type Ready = { prisma: PrismaClient };

// One client per process (kept on globalThis so Next's dev reloads don't open new pools).
const globalForDb = globalThis as unknown as { facetDb?: Promise<Ready> };

async function start(): Promise<Ready> {
  const { databaseUrl } = config();
  const result = await migrate(databaseUrl);
  if (result.applied.length > 0) console.log(`[facet] ${result.provider}: applied migrations ${result.applied.join(', ')}`);
  const prisma = await createPrismaClient(databaseUrl);
  await ensureAdmin(prisma);
  return { prisma };
}

/** The database, migrated and with an admin account, on first use. */
export async function getDb(): Promise<PrismaClient> {
  globalForDb.facetDb ??= start().catch((error) => {
    globalForDb.facetDb = undefined; // let the next request try again (e.g. PostgreSQL came back)
    throw error;
  });
  return (await globalForDb.facetDb).prisma;
}

export async function closeDb(): Promise<void> {
  const ready = globalForDb.facetDb;
  globalForDb.facetDb = undefined;
  if (ready) await (await ready).prisma.$disconnect();
}
