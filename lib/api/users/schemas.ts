import { z } from 'zod';
import { ROLES } from '@/lib/domain/labels';
import { MIN_PASSWORD_LENGTH } from '@/lib/server/auth/password';

export const publicUserSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  active: true,
  createdAt: true,
  lastLoginAt: true,
} as const;

export const CreateUserInput = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  name: z.string().trim().max(100).optional(),
  role: z.enum(ROLES),
  /** Omitted → a one-time password is generated and returned once. */
  password: z.string().min(MIN_PASSWORD_LENGTH).max(1024).optional(),
});

export const UpdateUserInput = z
  .object({
    name: z.string().trim().max(100).optional(),
    role: z.enum(ROLES).optional(),
    active: z.boolean().optional(),
    resetPassword: z.literal(true).optional(),
  })
  .strict();
