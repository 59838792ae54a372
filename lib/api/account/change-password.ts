import { z } from 'zod';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '@/lib/server/auth/password';
import type { PrismaClient } from '@/lib/server/db';
import { HttpError } from '@/lib/server/http/errors';

export const ChangePasswordInput = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(MIN_PASSWORD_LENGTH).max(1024),
});

export async function changePassword(prisma: PrismaClient, userId: string, input: z.infer<typeof ChangePasswordInput>) {
  const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new HttpError(400, 'WRONG_PASSWORD', 'The current password is wrong');
  }
  await prisma.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(input.newPassword) } });
}
