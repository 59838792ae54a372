import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '@/lib/server/db';
import { execute, isUniqueViolation, providerOfClient, query, toDialect, transaction } from '@/lib/server/db/raw';
import { createUser, startTestApp, stopTestApp } from '../support/test-app';
import { testProvider } from '../support/test-database';

/**
 * lib/server/db/raw.ts: on SQLite raw statements run on the connection directly (not through
 * Prisma); they must return exactly what Prisma returns, map errors the same way, and keep
 * transactions isolated from the other requests' statements.
 */
let prisma: PrismaClient;

beforeAll(async () => {
  prisma = await startTestApp();
});
afterAll(stopTestApp);

describe('raw SQL layer', () => {
  it('returns the same values and types as Prisma ($queryRawUnsafe)', async () => {
    const user = await createUser('ANNOTATOR', 'raw@test.local');
    await prisma.dataset.create({ data: { name: 'raw-ds' } });
    const cases: [string, unknown[]][] = [
      ['SELECT "id", "email", "name", "role", "active", "createdAt" FROM "User" WHERE "id" = ?', [user.id]],
      ['SELECT * FROM "User" ORDER BY "id"', []],
      ['SELECT * FROM "Dataset"', []],
      ['SELECT COUNT(*) AS n, MAX("createdAt") AS m, 1 AS one, \'x\' AS s, NULL AS z FROM "User"', []],
      ['SELECT "id" FROM "User" WHERE "createdAt" > ? AND "active" = ?', [new Date(0), true]],
    ];
    for (const [sql, args] of cases) {
      expect(await query(prisma, sql, ...args), sql).toStrictEqual(await prisma.$queryRawUnsafe(toDialect(providerOfClient(prisma), sql), ...args));
    }
  });

  it('reports a unique violation as Prisma does', async () => {
    const user = await createUser('ANNOTATOR', 'unique@test.local');
    const error = await execute(prisma, 'INSERT INTO "User" ("id", "email", "passwordHash", "role", "createdAt", "updatedAt") VALUES (?, ?, ?, ?{"Role"}, ?, ?)', 'other', user.email, 'x', 'ANNOTATOR', new Date(), new Date()).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it('rolls back a failed transaction without taking other statements with it, and commits a good one', async () => {
    const a = await createUser('ANNOTATOR', 'tx-a@test.local');
    const b = await createUser('ANNOTATOR', 'tx-b@test.local');
    const rename = (id: string, name: string, db: Parameters<typeof execute>[0] = prisma) => execute(db, 'UPDATE "User" SET "name" = ? WHERE "id" = ?', name, id);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const failing = transaction(prisma, async (tx) => {
      await rename(a.id, 'inside', tx);
      await gate; // another request's statement arrives while this transaction is open
      throw new Error('boom');
    }).catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 20));
    const outside = rename(b.id, 'outside');
    release();
    expect(await failing).toBe('boom');
    expect(await outside).toBe(1);
    const names = await query<{ id: string; name: string | null }>(prisma, 'SELECT "id", "name" FROM "User" WHERE "id" IN (?, ?)', a.id, b.id);
    expect(Object.fromEntries(names.map((n) => [n.id, n.name]))).toEqual({ [a.id]: null, [b.id]: 'outside' });
    await transaction(prisma, async (tx) => {
      await rename(a.id, 'committed', tx);
      expect((await query<{ name: string }>(tx, 'SELECT "name" FROM "User" WHERE "id" = ?', a.id))[0].name).toBe('committed');
    });
    expect((await query<{ name: string }>(prisma, 'SELECT "name" FROM "User" WHERE "id" = ?', a.id))[0].name).toBe('committed');
  });

  // SQLite serialises writers (BEGIN IMMEDIATE); PostgreSQL's read-committed transactions would need row locks here.
  it.skipIf(testProvider() === 'postgresql')('runs transactions one after another alongside Prisma\'s own (SQLite)', async () => {
    const u = await createUser('ANNOTATOR', 'tx-c@test.local');
    const bump = (db: Parameters<typeof query>[0]) => query<{ n: string | null }>(db, 'SELECT "name" AS n FROM "User" WHERE "id" = ?', u.id).then(([r]) => execute(db, 'UPDATE "User" SET "name" = ? WHERE "id" = ?', String(Number(r.n ?? 0) + 1), u.id));
    await Promise.all([
      ...Array.from({ length: 10 }, () => transaction(prisma, async (tx) => bump(tx))),
      ...Array.from({ length: 5 }, () => prisma.$transaction(async (tx) => bump(tx))),
    ]);
    expect((await query<{ name: string }>(prisma, 'SELECT "name" FROM "User" WHERE "id" = ?', u.id))[0].name).toBe('15');
  });
});
