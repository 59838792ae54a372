import { decode } from 'next-auth/jwt';
import type { Role } from '@/lib/domain/labels';
import { authSecret } from '../config';
import { getDb } from '../db';
import { query } from '../db/raw';

export type SessionUser = { id: string; email: string; name: string | null; role: Role };

export const SESSION_COOKIES = ['__Secure-next-auth.session-token', 'next-auth.session-token'] as const;

export const userSelect = { id: true, email: true, name: true, role: true, active: true } as const;

/**
 * Decoded session tokens, briefly: next-auth's decode derives the key (HKDF) and decrypts the JWE
 * on every call, ~0.3 ms of CPU per request. A token is an immutable signed value, so its subject is
 * remembered for up to DECODED_TTL_MS, never past the token's own expiry, and only under the
 * secret it was decoded with. Revocation does not depend on this: the user row is still read on
 * every request.
 */
const DECODED_TTL_MS = 60_000;
const DECODED_MAX = 5_000;
const decoded = new Map<string, { sub: string; until: number; secret: string }>();

async function tokenSubject(token: string): Promise<string | null> {
  const secret = authSecret();
  const now = Date.now();
  const hit = decoded.get(token);
  if (hit && hit.until > now && hit.secret === secret) return hit.sub;
  let payload: Awaited<ReturnType<typeof decode>>;
  try {
    payload = await decode({ token, secret });
  } catch {
    return null;
  }
  const sub = payload?.sub;
  if (!sub) return null;
  const exp = typeof payload?.exp === 'number' ? payload.exp * 1000 : 0;
  if (exp > now) {
    if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value!);
    decoded.set(token, { sub, until: Math.min(exp, now + DECODED_TTL_MS), secret });
  }
  return sub;
}

type UserRow = SessionUser & { active: boolean | number };

/**
 * The signed-in user behind a session token, re-read from the database on every request so
 * that a role change or deactivation takes effect at once.
 */
export async function userFromSessionToken(token: string | undefined): Promise<SessionUser | null> {
  if (!token) return null;
  const id = await tokenSubject(token);
  if (!id) return null;
  const prisma = await getDb();
  const [user] = await query<UserRow>(prisma, 'SELECT "id", "email", "name", "role", "active" FROM "User" WHERE "id" = ?', id);
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
