import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ROLES, type Role } from '@/lib/domain/labels';
import { signInCookie } from '../support/http-session';
import { ADMIN } from './global-setup';

const baseURL = inject('baseURL');

/** Every page with the roles that may open it ('*' = anyone signed in; 'public' = anyone). */
const PAGES: { path: string; roles: readonly Role[] | 'public' }[] = [
  { path: '/signin', roles: 'public' },
  { path: '/forbidden', roles: 'public' },
  { path: '/annotate', roles: ROLES },
  { path: '/review', roles: ['CURATOR', 'ADMIN'] },
  { path: '/progress', roles: ROLES },
  { path: '/images', roles: ROLES },
  { path: '/images/no-such-image', roles: ROLES },
  { path: '/account', roles: ROLES },
  { path: '/datasets', roles: ROLES },
  { path: '/import', roles: ['CURATOR', 'ADMIN'] },
  { path: '/exports', roles: ['CURATOR', 'ADMIN'] },
  { path: '/models', roles: ['MAINTAINER', 'ADMIN'] },
  { path: '/admin/users', roles: ['ADMIN'] },
  { path: '/settings/ml', roles: ROLES },
];

const cookies = {} as Record<Role, string>;

beforeAll(async () => {
  const admin = await signInCookie(baseURL, ADMIN.email, ADMIN.password);
  for (const role of ROLES) {
    const email = `page-${role.toLowerCase()}@e2e.local`;
    await fetch(`${baseURL}/api/users`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/json', origin: baseURL },
      body: JSON.stringify({ email, role, password: 'page-password' }),
    });
    cookies[role] = await signInCookie(baseURL, email, 'page-password');
  }
});

async function get(path: string, cookie?: string) {
  return fetch(`${baseURL}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

describe('page × role access over HTTP', () => {
  for (const page of PAGES) {
    it(`${page.path}: anonymous`, async () => {
      const res = await get(page.path);
      if (page.roles === 'public') expect(res.status).toBe(200);
      else {
        expect(res.status).toBe(307);
        expect(res.headers.get('location')).toMatch(/\/signin\?callbackUrl=/);
      }
    });
    for (const role of ROLES) {
      it(`${page.path}: ${role}`, async () => {
        const res = await get(page.path, cookies[role]);
        const allowed = page.roles === 'public' || page.roles.includes(role);
        if (page.path === '/signin') expect([200, 307]).toContain(res.status); // signed in → sent on
        else if (allowed) expect(res.status).toBe(200);
        else {
          expect(res.status).toBe(307);
          expect(res.headers.get('location')).toMatch(/\/forbidden$/);
        }
      });
    }
  }

  it('sets the session cookie HttpOnly and SameSite=Lax', async () => {
    const csrf = await fetch(`${baseURL}/api/auth/csrf`);
    const jar = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const res = await fetch(`${baseURL}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar },
      body: new URLSearchParams({ csrfToken, email: ADMIN.email, password: ADMIN.password, json: 'true' }),
    });
    const session = res.headers.getSetCookie().find((c) => c.includes('session-token'));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
  });

  it('sends security headers, with a CSP that still allows WASM', async () => {
    const res = await get('/signin');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("'wasm-unsafe-eval'");
  });
});
