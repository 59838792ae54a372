import { encode } from 'next-auth/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userFromSessionToken } from '@/lib/server/auth/session';
import { authSecret } from '@/lib/server/config';
import type { PrismaClient } from '@/lib/server/db';
import { createUser, startTestApp, stopTestApp } from '../support/test-app';

/** The session check caches decoded tokens briefly; these are the guarantees that must survive it. */
let prisma: PrismaClient;

beforeAll(async () => {
  prisma = await startTestApp();
});
afterAll(stopTestApp);

describe('session check with decoded tokens cached', () => {
  it('still reads the user row every time: deactivation and role changes apply to a cached token at once', async () => {
    const user = await createUser('ANNOTATOR', 'cached@test.local');
    const token = await encode({ token: { sub: user.id, email: user.email, role: user.role }, secret: authSecret() });
    expect((await userFromSessionToken(token))?.role).toBe('ANNOTATOR');
    expect((await userFromSessionToken(token))?.id).toBe(user.id); // served from the cache
    await prisma.user.update({ where: { id: user.id }, data: { role: 'CURATOR' } });
    expect((await userFromSessionToken(token))?.role).toBe('CURATOR');
    await prisma.user.update({ where: { id: user.id }, data: { active: false } });
    expect(await userFromSessionToken(token)).toBeNull();
    await prisma.user.update({ where: { id: user.id }, data: { active: true } });
    expect((await userFromSessionToken(token))?.id).toBe(user.id);
    await prisma.user.delete({ where: { id: user.id } });
    expect(await userFromSessionToken(token)).toBeNull();
  });

  it('refuses tokens signed with another secret, tampered tokens and tokens without a subject', async () => {
    const user = await createUser('ANNOTATOR', 'forged@test.local');
    const good = await encode({ token: { sub: user.id }, secret: authSecret() });
    expect((await userFromSessionToken(good))?.id).toBe(user.id);
    const forged = await encode({ token: { sub: user.id }, secret: 'another-secret-of-enough-length-0123456789' });
    expect(await userFromSessionToken(forged)).toBeNull();
    const tampered = `${good.slice(0, -4)}${good.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect(await userFromSessionToken(tampered)).toBeNull();
    expect(await userFromSessionToken(await encode({ token: { email: user.email }, secret: authSecret() }))).toBeNull();
    expect(await userFromSessionToken('not-a-token')).toBeNull();
    expect(await userFromSessionToken(undefined)).toBeNull();
  });

  it('refuses an expired token', async () => {
    const user = await createUser('ANNOTATOR', 'expiring@test.local');
    // next-auth accepts a token up to 15 s past its expiry (clock tolerance): expire it well before that.
    const token = await encode({ token: { sub: user.id }, secret: authSecret(), maxAge: -30 });
    expect(await userFromSessionToken(token)).toBeNull();
  });
});
