import { decode } from 'next-auth/jwt';
import type { Role } from '@/lib/domain/labels';
import { authSecret } from '../config';
import { getDb } from '../db';

export type SessionUser = { id: string; email: string; name: string | null; role: Role };

export const SESSION_COOKIES = ['__Secure-next-auth.session-token', 'next-auth.session-token'] as const;

export const userSelect = { id: true, email: true, name: true, role: true, active: true } as const;

/**
 * The signed-in user behind a session token, re-read from the database on every request so
 * that a role change or deactivation takes effect at once.
 */
export async function userFromSessionToken(token: string | undefined): Promise<SessionUser | null> {
  if (!token) return null;
  let payload: Awaited<ReturnType<typeof decode>>;
  try {
    payload = await decode({ token, secret: authSecret() });
  } catch {
    return null;
  }
  const id = payload?.sub;
  if (!id) return null;
  const prisma = await getDb();
  const user = await prisma.user.findUnique({ where: { id }, select: userSelect });
  if (!user || !user.active) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

export function sessionTokenFromCookies(get: (name: string) => string | undefined): string | undefined {
  for (const name of SESSION_COOKIES) {
    const value = get(name);
    if (value) return value;
  }
  return undefined;
}
