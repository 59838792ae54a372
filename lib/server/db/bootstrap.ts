import { config } from '../config';
import { generatePassword, hashPassword } from '../auth/password';
import type { PrismaClient } from './client';

/**
 * First start: with no users at all, create the admin from FACET_ADMIN_EMAIL /
 * FACET_ADMIN_PASSWORD, or with a generated password printed once to the server log.
 */
export async function ensureAdmin(prisma: PrismaClient): Promise<void> {
  if ((await prisma.user.count()) > 0) return;
  const { adminEmail, adminPassword, defaultDataset } = config();
  const password = adminPassword ?? generatePassword();
  try {
    await prisma.user.create({
      data: { email: adminEmail, name: 'Administrator', role: 'ADMIN', passwordHash: await hashPassword(password) },
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') return; // another process created it first
    throw error;
  }
  await prisma.dataset.upsert({ where: { name: defaultDataset }, create: { name: defaultDataset }, update: {} });
  if (adminPassword) {
    console.log(`[facet] created admin ${adminEmail} (password from FACET_ADMIN_PASSWORD)`);
  } else {
    console.log(
      `[facet] created admin ${adminEmail} with one-time password: ${password}\n` +
        `[facet] sign in and change it, or set FACET_ADMIN_PASSWORD before the first start.`,
    );
  }
}
