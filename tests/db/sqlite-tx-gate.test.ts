import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '@/lib/server/db';
import { execute, query, transaction } from '@/lib/server/db/raw';
import { createUser, startTestApp, stopTestApp } from '../support/test-app';

/**
 * One process shares one SQLite connection, so a statement that runs while another request's
 * transaction is open would become part of it — and vanish with it on a rollback, after being
 * acknowledged. Every statement outside a transaction must wait for the open one, whichever way
 * each was issued (Prisma model call, raw statement, Prisma or raw transaction).
 */
let prisma: PrismaClient;

beforeAll(async () => {
  prisma = await startTestApp();
});
afterAll(stopTestApp);

const nameOf = async (id: string) => (await query<{ name: string | null }>(prisma, 'SELECT "name" FROM "User" WHERE "id" = ?', id))[0].name;

/** Opens a transaction that writes, waits for `gate`, then fails (rolls back). */
function failingTx(kind: 'raw' | 'prisma', id: string, gate: Promise<void>) {
  const body = async (tx: Parameters<typeof execute>[0]) => {
    await execute(tx, 'UPDATE "User" SET "name" = ? WHERE "id" = ?', 'inside', id);
    await gate;
    throw new Error('boom');
  };
  const run = kind === 'raw' ? transaction(prisma, body) : prisma.$transaction((tx) => body(tx));
  return run.catch((e: Error) => e.message);
}

describe('statements outside a transaction wait for it (one shared connection)', () => {
  for (const txKind of ['raw', 'prisma'] as const) {
    for (const outsideKind of ['raw', 'prisma model call'] as const) {
      it(`a ${outsideKind} write during a ${txKind} transaction that rolls back is kept`, async () => {
        const a = await createUser('ANNOTATOR', `gate-a-${txKind}-${outsideKind.length}@test.local`);
        const b = await createUser('ANNOTATOR', `gate-b-${txKind}-${outsideKind.length}@test.local`);
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const failing = failingTx(txKind, a.id, gate);
        await new Promise((r) => setTimeout(r, 30));
        const outside =
          outsideKind === 'raw'
            ? execute(prisma, 'UPDATE "User" SET "name" = ? WHERE "id" = ?', 'outside', b.id)
            : prisma.user.update({ where: { id: b.id }, data: { name: 'outside' } }).then(() => 1);
        await new Promise((r) => setTimeout(r, 30));
        release();
        expect(await failing).toBe('boom');
        expect(await outside).toBe(1);
        expect(await nameOf(a.id)).toBeNull();
        expect(await nameOf(b.id)).toBe('outside');
      });
    }
  }
});
