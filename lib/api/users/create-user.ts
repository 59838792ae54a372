import type { z } from 'zod';
import { generatePassword, hashPassword } from '@/lib/server/auth/password';
import type { PrismaClient } from '@/lib/server/db';
import { conflict } from '@/lib/server/http/errors';
import { type CreateUserInput, publicUserSelect } from './schemas';

/** Creates a user; returns the one-time password when none was given. */
export async function createUser(prisma: PrismaClient, input: z.infer<typeof CreateUserInput>) {
  const password = input.password ?? generatePassword();
  const exists = await prisma.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (exists) throw conflict(`A user with the email ${input.email} already exists`);
  const user = await prisma.user.create({
    data: { email: input.email, name: input.name, role: input.role, passwordHash: await hashPassword(password) },
    select: publicUserSelect,
  });
  return { user, oneTimePassword: input.password ? undefined : password };
}
