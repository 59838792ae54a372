import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode } from 'next-auth/jwt';
import { NextRequest } from 'next/server';
import type { Role } from '@/lib/domain/labels';
import { authSecret, resetConfigCache } from '@/lib/server/config';
import { closeDb, getDb } from '@/lib/server/db';
import { hashPassword } from '@/lib/server/auth/password';
import { freshDatabaseUrl } from './test-database';

export const ADMIN_EMAIL = 'admin@test.local';
export const ORIGIN = 'http://facet.test';

/** Points Facet at a fresh database and data directory; returns the migrated client. */
export async function startTestApp() {
  process.env.FACET_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'facet-data-'));
  process.env.DATABASE_URL = await freshDatabaseUrl();
  process.env.FACET_ADMIN_EMAIL = ADMIN_EMAIL;
  process.env.FACET_ADMIN_PASSWORD = 'admin-password-1';
  delete process.env.FACET_STORAGE_DIR;
  resetConfigCache();
  await closeDb();
  return getDb();
}

export async function stopTestApp() {
  await closeDb();
}

/** Creates a user of the role (scrypt is slow, so tests share one per role). */
export async function createUser(role: Role, email = `${role.toLowerCase()}@test.local`) {
  const prisma = await getDb();
  return prisma.user.upsert({
    where: { email },
    create: { email, role, passwordHash: await hashPassword('password-123') },
    update: { role },
  });
}

/** A next-auth session cookie for the user, as the sign-in flow would set it. */
export async function sessionCookie(user: { id: string; email: string; role: string }): Promise<string> {
  const token = await encode({ token: { sub: user.id, email: user.email, role: user.role }, secret: authSecret() });
  return `next-auth.session-token=${token}`;
}

type RequestOptions = { method?: string; cookie?: string; headers?: Record<string, string>; body?: BodyInit | object };

export function request(pathname: string, options: RequestOptions = {}): NextRequest {
  const { method = 'GET', cookie, headers = {}, body } = options;
  const isJson = body !== undefined && !(body instanceof Uint8Array) && !(body instanceof ReadableStream) && typeof body === 'object';
  return new NextRequest(new URL(pathname, ORIGIN), {
    method,
    headers: {
      host: new URL(ORIGIN).host,
      ...(method !== 'GET' ? { origin: ORIGIN } : {}),
      ...(cookie ? { cookie } : {}),
      ...(isJson ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: isJson ? JSON.stringify(body) : (body as BodyInit | undefined),
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as ConstructorParameters<typeof NextRequest>[1]);
}

export function ctx<P extends object>(params: P = {} as P) {
  return { params: Promise.resolve(params) };
}
