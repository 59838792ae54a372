import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInCookie } from '../support/http-session';
import { type Facet, client, startFacet } from './support/facet';
import { checkStore } from './support/store-check';

/**
 * Security points that need the real server and its logs (route × role, CSRF, cookies, hashing and
 * rate limits are covered by tests/db/route-access, users-and-auth and tests/e2e/page-access):
 * secrets never reach the log, script-capable uploads are refused and stored images are only ever
 * served as images, and URL-encoded traversal in ids and names reaches no file.
 */
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const SECRETS = { NEXTAUTH_SECRET: secret('nextauth'), FACET_ADMIN_PASSWORD: secret('adminpw'), wrong: secret('wrongpw'), newPassword: secret('newpw'), userPassword: secret('userpw') };
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'facet-fault-sec-'));
const env = { FACET_DATA_DIR: dataDir, DATABASE_URL: '', FACET_ADMIN_EMAIL: 'admin@sec.local', FACET_ADMIN_PASSWORD: SECRETS.FACET_ADMIN_PASSWORD, NEXTAUTH_SECRET: SECRETS.NEXTAUTH_SECRET };
let facet: Facet;
let cookie: string;
let call: ReturnType<typeof client>;

const upload = (name: string, body: Buffer) =>
  call('/api/uploads', { method: 'POST', headers: { 'x-file-name': encodeURIComponent(name), 'content-type': 'application/octet-stream' }, body: new Uint8Array(body) });

beforeAll(async () => {
  facet = await startFacet(env);
  await signInCookie(facet.url, env.FACET_ADMIN_EMAIL, SECRETS.wrong).catch(() => undefined); // a failed sign-in
  cookie = await signInCookie(facet.url, env.FACET_ADMIN_EMAIL, env.FACET_ADMIN_PASSWORD);
  call = client(facet.url, cookie);
}, 120_000);

afterAll(async () => {
  await facet?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('security over HTTP', () => {
  it('refuses SVG/HTML/script bodies named as images and serves stored images only as images', async () => {
    const hostile: [string, string][] = [
      ['x.jpg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
      ['x.png', '<!doctype html><script>alert(document.cookie)</script>'],
      ['x.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
      ['x.html', '<html><body onload=alert(1)>'],
      ['y.jpg', '\xff\xd8\xff\xe0<script>alert(1)</script>'],
    ];
    for (const [name, body] of hostile) {
      const res = await upload(name, Buffer.from(body, 'latin1'));
      expect(res.status, name).toBe(422);
    }
    expect((await checkStore(dataDir, { decode: false })).rows).toBe(0);

    const photo = await sharp({ create: { width: 200, height: 150, channels: 3, background: '#334455' } }).png().toBuffer();
    const stored = await (await upload('<img src=x onerror=alert(1)>.png', photo)).json();
    const imageId = stored.results?.[0]?.imageId ?? stored.files?.[0]?.imageId ?? JSON.stringify(stored).match(/"imageId":"([^"]+)"/)?.[1];
    expect(imageId).toBeTruthy();
    for (const kind of ['file', 'thumb']) {
      const res = await call(`/api/images/${imageId}/${kind}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\/(png|jpeg)$/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      // The route's own sandboxing CSP, not the app-wide one (next.config.ts leaves these routes out).
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(res.headers.get('content-disposition') ?? '').not.toContain('<img');
    }
    const list = await (await call('/api/images')).text();
    expect(list).toContain('<img src=x onerror=alert(1)>.png'); // kept as data (JSON), rendered as text by React
  });

  it('lets no URL-encoded traversal in ids or names reach a file', async () => {
    const attempts = [
      '/api/images/..%2F..%2F..%2F..%2Fproc%2Fself%2Fenviron/file',
      '/api/images/%2e%2e%2f%2e%2e%2ffacet.db/thumb',
      '/api/images/..%5C..%5Cfacet.db/file',
      '/api/exports/..%2F..%2Ffacet.db/download',
      '/api/exports/%2e%2e/download',
      '/api/models/files/agegender/..%2F..%2F..%2F..%2Fproc%2Fself/environ',
      '/api/models/files/..%2F..%2F/r1/model.json',
      '/api/models/files/agegender/r1/..%2F..%2F..%2Ffacet.db',
    ];
    for (const url of attempts) {
      const res = await call(url);
      expect([400, 404], url).toContain(res.status);
      const text = await res.text();
      expect(text).not.toContain(SECRETS.NEXTAUTH_SECRET);
      expect(text).not.toContain('SQLite format');
    }
  });

  it('never writes passwords, the session secret or session tokens to the log', async () => {
    const created = await call('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'new@sec.local', role: 'ANNOTATOR', password: SECRETS.userPassword }) });
    expect(created.status).toBe(201);
    const changed = await call('/api/account/password', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: env.FACET_ADMIN_PASSWORD, newPassword: SECRETS.newPassword }) });
    expect(changed.status).toBe(200);
    const wrong = await call('/api/account/password', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: SECRETS.wrong, newPassword: SECRETS.wrong }) });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    await call('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bad', role: 'NOPE', password: SECRETS.wrong }) });
    await signInCookie(facet.url, 'new@sec.local', SECRETS.wrong).catch(() => undefined);

    const logs = facet.logs();
    expect(logs.length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(SECRETS)) expect(logs.includes(value), `${name} in the server log`).toBe(false);
    const token = cookie.match(/session-token=([^;]+)/)?.[1] ?? '';
    expect(token.length).toBeGreaterThan(20);
    expect(logs.includes(token)).toBe(false);
    expect(readdirSync(dataDir)).not.toContain('.auth-secret'); // NEXTAUTH_SECRET is used, not written down
  });
});
