import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { type Permission, can } from './access';
import { type SessionUser, sessionTokenFromCookies, userFromSessionToken } from './session';

/** For server pages: the signed-in user, or a redirect to sign in (or to /forbidden). */
export async function requirePageUser(permission: Permission, from: string): Promise<SessionUser> {
  const jar = await cookies();
  const user = await userFromSessionToken(sessionTokenFromCookies((name) => jar.get(name)?.value));
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(from)}`);
  if (!can(user.role, permission)) redirect('/forbidden');
  return user;
}

export async function currentUser(): Promise<SessionUser | null> {
  const jar = await cookies();
  return userFromSessionToken(sessionTokenFromCookies((name) => jar.get(name)?.value));
}
