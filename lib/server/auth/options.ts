import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { authSecret } from '../config';
import { getDb } from '../db';
import { verifyPassword } from './password';
import { clearFailures, isLocked, recordFailure } from './rate-limit';

const Credentials = z.object({ email: z.string().trim().toLowerCase().email(), password: z.string().min(1).max(1024) });

export const SESSION_MAX_AGE_S = 12 * 60 * 60;

export function authOptions(): AuthOptions {
  return {
    secret: authSecret(),
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: '/signin' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(raw) {
          const parsed = Credentials.safeParse(raw);
          if (!parsed.success) return null;
          const { email, password } = parsed.data;
          const prisma = await getDb();
          const key = `login:${email}`;
          if (await isLocked(prisma, key)) throw new Error('Too many failed sign-ins. Try again in 15 minutes.');
          const user = await prisma.user.findUnique({ where: { email } });
          const ok = user?.active === true && (await verifyPassword(password, user.passwordHash));
          if (!ok || !user) {
            await recordFailure(prisma, key);
            return null;
          }
          await clearFailures(prisma, key);
          await prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
          return { id: user.id, email: user.email, name: user.name, role: user.role };
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) token.role = (user as { role?: string }).role;
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub, role: token.role } };
      },
    },
  };
}
