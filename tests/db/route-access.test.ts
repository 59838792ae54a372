
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, type Permission } from '@/lib/server/auth/access';
import { ROLES, type Role } from '@/lib/domain/labels';
import { findFiles } from '../support/files';
import { createUser, ctx, request, sessionCookie, startTestApp, stopTestApp } from '../support/test-app';

type RouteModule = Record<string, (req: unknown, ctx: unknown) => Promise<Response>>;
type Case = {
  file: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  permission: Permission;
  path: (ids: Ids) => string;
  params?: (ids: Ids) => object;
  body?: () => Promise<object | Uint8Array>;
  headers?: Record<string, string>;
};
type Ids = { imageId: string; userId: string };

/** Every API route with the permission it must demand. A new route file fails the test until listed. */
const CASES: Case[] = [
  { file: 'app/api/images/route.ts', method: 'GET', permission: 'images:read', path: () => '/api/images' },
  {
    file: 'app/api/images/[id]/route.ts',
    method: 'DELETE',
    permission: 'images:delete',
    path: ({ imageId }) => `/api/images/${imageId}`,
    params: ({ imageId }) => ({ id: imageId }),
  },
  {
    file: 'app/api/images/[id]/file/route.ts',
    method: 'GET',
    permission: 'images:read',
    path: ({ imageId }) => `/api/images/${imageId}/file`,
    params: ({ imageId }) => ({ id: imageId }),
  },
  {
    file: 'app/api/images/[id]/thumb/route.ts',
    method: 'GET',
    permission: 'images:read',
    path: ({ imageId }) => `/api/images/${imageId}/thumb`,
    params: ({ imageId }) => ({ id: imageId }),
  },
  {
    file: 'app/api/uploads/route.ts',
    method: 'POST',
    permission: 'images:upload',
    path: () => '/api/uploads',
    headers: { 'x-file-name': 'x.png', 'content-type': 'application/octet-stream' },
    body: async () =>
      new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer()),
  },
  {
    file: 'app/api/imports/utkface/route.ts',
    method: 'POST',
    permission: 'datasets:manage',
    path: () => '/api/imports/utkface?dryRun=1',
    headers: { 'x-file-name': '30_0_0_20170101000000000.jpg', 'content-type': 'application/octet-stream' },
    body: async () =>
      new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toBuffer()),
  },
  { file: 'app/api/imports/route.ts', method: 'GET', permission: 'datasets:manage', path: () => '/api/imports' },
  {
    file: 'app/api/imports/route.ts',
    method: 'POST',
    permission: 'datasets:manage',
    path: () => '/api/imports?dryRun=1',
    headers: { 'x-file-name': '30_0_0_20170101000000000.jpg', 'content-type': 'application/octet-stream' },
    body: async () =>
      new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toBuffer()),
  },
  { file: 'app/api/imports/[id]/route.ts', method: 'GET', permission: 'datasets:manage', path: () => '/api/imports/none', params: () => ({ id: 'none' }) },
  {
    file: 'app/api/imports/[id]/route.ts',
    method: 'DELETE',
    permission: 'datasets:manage',
    path: () => '/api/imports/none',
    params: () => ({ id: 'none' }),
  },
  { file: 'app/api/datasets/route.ts', method: 'GET', permission: 'datasets:read', path: () => '/api/datasets' },
  { file: 'app/api/datasets/stats/route.ts', method: 'GET', permission: 'datasets:read', path: () => '/api/datasets/stats' },
  { file: 'app/api/exports/route.ts', method: 'GET', permission: 'datasets:manage', path: () => '/api/exports' },
  {
    file: 'app/api/exports/route.ts',
    method: 'POST',
    permission: 'datasets:manage',
    path: () => '/api/exports',
    body: async () => ({ options: { size: 32 + Math.floor(Math.random() * 900) } }),
  },
  {
    file: 'app/api/exports/[id]/route.ts',
    method: 'DELETE',
    permission: 'datasets:manage',
    path: () => '/api/exports/none',
    params: () => ({ id: 'none' }),
  },
  {
    file: 'app/api/exports/[id]/download/route.ts',
    method: 'GET',
    permission: 'datasets:manage',
    path: () => '/api/exports/none/download',
    params: () => ({ id: 'none' }),
  },
  { file: 'app/api/annotate/next/route.ts', method: 'POST', permission: 'faces:label', path: () => '/api/annotate/next' },
  { file: 'app/api/annotate/stats/route.ts', method: 'GET', permission: 'faces:label', path: () => '/api/annotate/stats' },
  {
    file: 'app/api/faces/[id]/route.ts',
    method: 'GET',
    permission: 'faces:label',
    path: () => '/api/faces/none',
    params: () => ({ id: 'none' }),
  },
  {
    file: 'app/api/faces/[id]/route.ts',
    method: 'PATCH',
    permission: 'faces:label',
    path: () => '/api/faces/none',
    params: () => ({ id: 'none' }),
    body: async () => ({ version: 1, action: 'skip' }),
  },
  {
    file: 'app/api/faces/[id]/route.ts',
    method: 'DELETE',
    permission: 'faces:label',
    path: () => '/api/faces/none?version=1',
    params: () => ({ id: 'none' }),
  },
  {
    file: 'app/api/faces/[id]/lease/route.ts',
    method: 'POST',
    permission: 'faces:label',
    path: () => '/api/faces/none/lease',
    params: () => ({ id: 'none' }),
  },
  {
    file: 'app/api/faces/[id]/lease/route.ts',
    method: 'DELETE',
    permission: 'faces:label',
    path: () => '/api/faces/none/lease',
    params: () => ({ id: 'none' }),
  },
  {
    file: 'app/api/images/[id]/faces/route.ts',
    method: 'POST',
    permission: 'faces:label',
    path: ({ imageId }) => `/api/images/${imageId}/faces`,
    params: ({ imageId }) => ({ id: imageId }),
    body: async () => ({ box: { x: 0, y: 0, w: 1, h: 1 } }),
  },
  { file: 'app/api/review/route.ts', method: 'GET', permission: 'faces:review', path: () => '/api/review' },
  {
    file: 'app/api/review/approve/route.ts',
    method: 'POST',
    permission: 'faces:review',
    path: () => '/api/review/approve',
    body: async () => ({ faces: [{ id: 'none', version: 1 }] }),
  },
  {
    file: 'app/api/review/send-back/route.ts',
    method: 'POST',
    permission: 'faces:review',
    path: () => '/api/review/send-back',
    body: async () => ({ faces: [{ id: 'none', version: 1 }], note: 'again' }),
  },
  {
    file: 'app/api/images/[id]/predictions/route.ts',
    method: 'POST',
    permission: 'images:upload',
    path: ({ imageId }) => `/api/images/${imageId}/predictions`,
    params: ({ imageId }) => ({ id: imageId }),
    body: async () => ({ model: 'm', faces: [] }),
  },
  { file: 'app/api/prelabel/pending/route.ts', method: 'GET', permission: 'images:upload', path: () => '/api/prelabel/pending?model=m' },
  {
    file: 'app/api/images/[id]/faces/route.ts',
    method: 'GET',
    permission: 'images:read',
    path: ({ imageId }) => `/api/images/${imageId}/faces`,
    params: ({ imageId }) => ({ id: imageId }),
  },
  { file: 'app/api/users/route.ts', method: 'GET', permission: 'users:manage', path: () => '/api/users' },
  {
    file: 'app/api/users/route.ts',
    method: 'POST',
    permission: 'users:manage',
    path: () => '/api/users',
    body: async () => ({ email: `new-${Math.random().toString(36).slice(2)}@test.local`, role: 'ANNOTATOR', password: 'password-123' }),
  },
  {
    file: 'app/api/users/[id]/route.ts',
    method: 'PATCH',
    permission: 'users:manage',
    path: ({ userId }) => `/api/users/${userId}`,
    params: ({ userId }) => ({ id: userId }),
    body: async () => ({ name: 'Renamed' }),
  },
  {
    file: 'app/api/account/password/route.ts',
    method: 'POST',
    permission: 'account:self',
    path: () => '/api/account/password',
    body: async () => ({ currentPassword: 'wrong-password', newPassword: 'another-password' }),
  },
  { file: 'app/api/models/route.ts', method: 'GET', permission: 'models:manage', path: () => '/api/models' },
  { file: 'app/api/models/active/route.ts', method: 'GET', permission: 'faces:label', path: () => '/api/models/active?name=agegender' },
  { file: 'app/api/models/rounds/route.ts', method: 'POST', permission: 'models:manage', path: () => '/api/models/rounds', body: async () => ({}) },
  {
    file: 'app/api/models/versions/[id]/promote/route.ts',
    method: 'POST',
    permission: 'models:manage',
    path: () => '/api/models/versions/none/promote',
    params: () => ({ id: 'none' }),
    body: async () => ({}),
  },
  {
    file: 'app/api/models/files/[name]/[version]/[file]/route.ts',
    method: 'GET',
    permission: 'faces:label',
    path: () => '/api/models/files/agegender/r9/model.json',
    params: () => ({ name: 'agegender', version: 'r9', file: 'model.json' }),
  },
  { file: 'app/api/models/detector/route.ts', method: 'GET', permission: 'models:manage', path: () => '/api/models/detector' },
  {
    file: 'app/api/models/detector/threshold/route.ts',
    method: 'POST',
    permission: 'models:manage',
    path: () => '/api/models/detector/threshold',
    body: async () => ({ datasetId: 'none', threshold: 0.6 }),
  },
  { file: 'app/api/jobs/[id]/route.ts', method: 'GET', permission: 'models:manage', path: () => '/api/jobs/none', params: () => ({ id: 'none' }) },
  { file: 'app/api/jobs/[id]/route.ts', method: 'DELETE', permission: 'models:manage', path: () => '/api/jobs/none', params: () => ({ id: 'none' }) },
];

/** Routes that are public on purpose. */
const PUBLIC = ['app/api/auth/[...nextauth]/route.ts', 'app/api/health/route.ts'];

let cookies: Record<Role, string>;
let ids: Ids;

beforeAll(async () => {
  const prisma = await startTestApp();
  cookies = {} as Record<Role, string>;
  for (const role of ROLES) cookies[role] = await sessionCookie(await createUser(role));
  const target = await createUser('ANNOTATOR', 'target@test.local');
  const dataset = await prisma.dataset.findFirstOrThrow();
  const image = await prisma.image.create({
    data: {
      contentHash: 'f'.repeat(64),
      storageKey: `images/ff/ff/${'f'.repeat(64)}.jpg`,
      thumbKey: `thumbs/ff/${'f'.repeat(64)}.jpg`,
      mimeType: 'image/jpeg',
      bytes: 1,
      width: 1,
      height: 1,
      sourceName: 'x.jpg',
      datasetId: dataset.id,
    },
  });
  ids = { imageId: image.id, userId: target.id };
});
afterAll(stopTestApp);

async function call(c: Case, cookie?: string): Promise<Response> {
  const mod = (await import(`@/${c.file.replace(/\.ts$/, '')}`)) as RouteModule;
  const body = c.body ? await c.body() : undefined;
  const req = request(c.path(ids), { method: c.method, cookie, headers: c.headers, body });
  return mod[c.method](req, ctx(c.params?.(ids) ?? {}));
}

describe('route × role access', () => {
  it('lists every API route file', () => {
    const files = findFiles('app/api', 'route.ts');
    const covered = new Set([...CASES.map((c) => c.file), ...PUBLIC]);
    expect(files.filter((f) => !covered.has(f))).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.method} ${c.file}: anonymous → 401`, async () => {
      expect((await call(c)).status).toBe(401);
    });
    for (const role of ROLES) {
      const allowed = (PERMISSIONS[c.permission] as readonly Role[]).includes(role);
      it(`${c.method} ${c.file}: ${role} → ${allowed ? 'allowed' : '403'}`, async () => {
        const res = await call(c, cookies[role]);
        if (allowed) expect([401, 403]).not.toContain(res.status);
        else expect(res.status).toBe(403);
      });
    }
  }

  it('refuses a state-changing request from another origin even with a valid session', async () => {
    const mod = await import('@/app/api/users/route');
    const req = request('/api/users', {
      method: 'POST',
      cookie: cookies.ADMIN,
      headers: { origin: 'https://evil.example' },
      body: { email: 'evil@test.local', role: 'ADMIN', password: 'password-123' },
    });
    const res = await mod.POST(req, ctx());
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('CROSS_SITE');
  });

  it('rejects a forged session token', async () => {
    const mod = await import('@/app/api/images/route');
    const res = await mod.GET(request('/api/images', { cookie: 'next-auth.session-token=forged.token.value' }), ctx());
    expect(res.status).toBe(401);
  });
});
