import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as createUserRoute, GET as listUsersRoute } from '@/app/api/users/route';
import { PATCH as updateUserRoute } from '@/app/api/users/[id]/route';
import { POST as changePasswordRoute } from '@/app/api/account/password/route';
import { GET as listImages } from '@/app/api/images/route';
import { authOptions } from '@/lib/server/auth/options';
import { LOGIN_LIMIT } from '@/lib/server/auth/rate-limit';
import { verifyPassword } from '@/lib/server/auth/password';
import type { PrismaClient } from '@/lib/server/db';
import { ADMIN_EMAIL, createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
let adminCookie: string;
let adminId: string;

type Authorize = (creds: Record<string, string>, req: unknown) => Promise<unknown>;
const authorize = (email: string, password: string) => {
  const provider = authOptions().providers[0] as unknown as { options: { authorize: Authorize } };
  return provider.options.authorize({ email, password }, {});
};

beforeAll(async () => {
  prisma = await startTestApp();
  const admin = await prisma.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
  adminId = admin.id;
  adminCookie = await sessionCookie(admin);
});
afterAll(stopTestApp);

describe('first start', () => {
  it('created the admin from FACET_ADMIN_EMAIL / FACET_ADMIN_PASSWORD with a slow hash', async () => {
    const admin = await prisma.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
    expect(admin.role).toBe('ADMIN');
    expect(admin.passwordHash).toMatch(/^scrypt\$32768\$/);
    expect(await verifyPassword('admin-password-1', admin.passwordHash)).toBe(true);
  });
});

describe('user administration', () => {
  it('creates a user with a one-time password that signs in', async () => {
    const res = await createUserRoute(
      request('/api/users', { method: 'POST', cookie: adminCookie, body: { email: 'New.Person@Test.local', role: 'CURATOR' } }),
      ctx(),
    );
    expect(res.status).toBe(201);
    const { user, oneTimePassword } = await res.json();
    expect(user).toMatchObject({ email: 'new.person@test.local', role: 'CURATOR' });
    expect(user.passwordHash).toBeUndefined();
    expect(await authorize('new.person@test.local', oneTimePassword)).toMatchObject({ role: 'CURATOR' });
  });

  it('rejects duplicates and invalid input with clear messages', async () => {
    const dup = await createUserRoute(
      request('/api/users', { method: 'POST', cookie: adminCookie, body: { email: ADMIN_EMAIL, role: 'ANNOTATOR' } }),
      ctx(),
    );
    expect(dup.status).toBe(409);
    const bad = await createUserRoute(
      request('/api/users', { method: 'POST', cookie: adminCookie, body: { email: 'nope', role: 'KING', password: 'x' } }),
      ctx(),
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/email/);
  });

  it('never removes the last active admin', async () => {
    const res = await updateUserRoute(
      request(`/api/users/${adminId}`, { method: 'PATCH', cookie: adminCookie, body: { role: 'ANNOTATOR' } }),
      ctx({ id: adminId }),
    );
    expect(res.status).toBe(409);
  });

  it('applies a role change or deactivation to existing sessions at once', async () => {
    const user = await createUser('CURATOR', 'demoted@test.local');
    const cookie = await sessionCookie(user);
    expect((await listUsersRoute(request('/api/users', { cookie }), ctx())).status).toBe(403);
    await updateUserRoute(
      request(`/api/users/${user.id}`, { method: 'PATCH', cookie: adminCookie, body: { role: 'ADMIN' } }),
      ctx({ id: user.id }),
    );
    expect((await listUsersRoute(request('/api/users', { cookie }), ctx())).status).toBe(200);
    await updateUserRoute(
      request(`/api/users/${user.id}`, { method: 'PATCH', cookie: adminCookie, body: { active: false } }),
      ctx({ id: user.id }),
    );
    expect((await listImages(request('/api/images', { cookie }), ctx())).status).toBe(401);
  });
});

describe('sign-in', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    await createUser('ANNOTATOR', 'signin@test.local');
    expect(await authorize('signin@test.local', 'password-123')).toMatchObject({ email: 'signin@test.local' });
    expect(await authorize('signin@test.local', 'wrong')).toBeNull();
    expect(await authorize('nobody@test.local', 'password-123')).toBeNull();
  });

  it(`locks an account after ${LOGIN_LIMIT.MAX_FAILURES} failures, even for the right password`, async () => {
    await createUser('ANNOTATOR', 'victim@test.local');
    for (let i = 0; i < LOGIN_LIMIT.MAX_FAILURES; i++) expect(await authorize('victim@test.local', `guess-${i}`)).toBeNull();
    await expect(authorize('victim@test.local', 'password-123')).rejects.toThrow(/Too many failed sign-ins/);
  });

  it('changes the own password only with the current one', async () => {
    const user = await createUser('ANNOTATOR', 'changer@test.local');
    const cookie = await sessionCookie(user);
    const wrong = await changePasswordRoute(
      request('/api/account/password', { method: 'POST', cookie, body: { currentPassword: 'nope', newPassword: 'brand-new-pass' } }),
      ctx(),
    );
    expect(wrong.status).toBe(400);
    const ok = await changePasswordRoute(
      request('/api/account/password', { method: 'POST', cookie, body: { currentPassword: 'password-123', newPassword: 'brand-new-pass' } }),
      ctx(),
    );
    expect(ok.status).toBe(200);
    expect(await authorize('changer@test.local', 'brand-new-pass')).toBeTruthy();
  });
});
