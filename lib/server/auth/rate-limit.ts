import type { PrismaClient } from '../db/client';

/**
 * Login throttling kept in the database, so every web instance shares it: after MAX_FAILURES
 * failed attempts for a key within WINDOW_MS, the key is locked for LOCK_MS.
 */
export const LOGIN_LIMIT = { MAX_FAILURES: 8, WINDOW_MS: 15 * 60_000, LOCK_MS: 15 * 60_000 };

export async function isLocked(prisma: PrismaClient, key: string, now = new Date()): Promise<boolean> {
  const row = await prisma.rateLimit.findUnique({ where: { key } });
  return Boolean(row?.lockedUntil && row.lockedUntil > now);
}

export async function recordFailure(prisma: PrismaClient, key: string, now = new Date()): Promise<void> {
  const row = await prisma.rateLimit.findUnique({ where: { key } });
  const fresh = !row || now.getTime() - row.windowStart.getTime() > LOGIN_LIMIT.WINDOW_MS;
  const count = fresh ? 1 : row.count + 1;
  const lockedUntil = count >= LOGIN_LIMIT.MAX_FAILURES ? new Date(now.getTime() + LOGIN_LIMIT.LOCK_MS) : null;
  await prisma.rateLimit.upsert({
    where: { key },
    create: { key, count, windowStart: now, lockedUntil },
    update: { count, windowStart: fresh ? now : row.windowStart, lockedUntil },
  });
}

export async function clearFailures(prisma: PrismaClient, key: string): Promise<void> {
  await prisma.rateLimit.deleteMany({ where: { key } });
}
