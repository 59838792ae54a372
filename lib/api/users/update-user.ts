import type { z } from 'zod';
import { generatePassword, hashPassword } from '@/lib/server/auth/password';
import type { PrismaClient } from '@/lib/server/db';
import { conflict, notFound } from '@/lib/server/http/errors';
import { publicUserSelect, type UpdateUserInput } from './schemas';

/** Changes a user's name, role or active flag, or resets their password; never removes the last active admin. */
export async function updateUser(prisma: PrismaClient, id: string, input: z.infer<typeof UpdateUserInput>) {
  const current = await prisma.user.findUnique({ where: { id }, select: { role: true, active: true } });
  if (!current) throw notFound('No such user');
  const losesAdmin = current.role === 'ADMIN' && current.active && (input.role && input.role !== 'ADMIN' || input.active === false);
  if (losesAdmin) {
    const admins = await prisma.user.count({ where: { role: 'ADMIN', active: true } });
    if (admins <= 1) throw conflict('This is the last active admin; make someone else admin first');
  }
  const password = input.resetPassword ? generatePassword() : undefined;
  const user = await prisma.user.update({
    where: { id },
    data: {
      name: input.name,
      role: input.role,
      active: input.active,
      ...(password ? { passwordHash: await hashPassword(password) } : {}),
    },
    select: publicUserSelect,
  });
  return { user, oneTimePassword: password };
}
