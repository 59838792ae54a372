import type { NextRequest } from 'next/server';
import type { Permission } from '../auth/access';
import { can } from '../auth/access';
import { type SessionUser, sessionTokenFromCookies, userFromSessionToken } from '../auth/session';
import { errorResponse, jsonError } from './errors';

type Context<P> = { params: Promise<P> };
export type Handler<P> = (args: { req: NextRequest; user: SessionUser; params: P }) => Promise<Response>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * State-changing requests must come from Facet's own pages: a cross-site Origin is refused
 * (on top of SameSite=Lax session cookies).
 */
export function isCrossSite(req: NextRequest): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  const origin = req.headers.get('origin');
  if (!origin) return req.headers.get('sec-fetch-site') === 'cross-site';
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

/**
 * API JSON replies go out uncompressed (`no-transform` makes Next's gzip skip them; pages and
 * static files are still compressed): they are a few KB, sent to a handful of annotators' browsers,
 * and gzip on the one event loop cost ~4% of the web instance's CPU at 50 annotators. `no-store`:
 * they are per-user, live data. A reply that sets its own Cache-Control keeps it.
 */
function uncompressedJson(res: Response): Response {
  if (res.headers.has('cache-control') || !res.headers.get('content-type')?.startsWith('application/json')) return res;
  try {
    res.headers.set('cache-control', 'no-store, no-transform');
  } catch {
    /* immutable headers (Response.redirect): leave them */
  }
  return res;
}

/** Wraps a route handler: CSRF check, session, role, then errors mapped to JSON. */
export function authed<P = Record<string, never>>(permission: Permission, handler: Handler<P>) {
  return async (req: NextRequest, ctx: Context<P>): Promise<Response> => {
    try {
      if (isCrossSite(req)) return jsonError(403, 'CROSS_SITE', 'Cross-site request refused');
      const user = await userFromSessionToken(sessionTokenFromCookies((name) => req.cookies.get(name)?.value));
      if (!user) return jsonError(401, 'UNAUTHENTICATED', 'Sign in first');
      if (!can(user.role, permission)) return jsonError(403, 'FORBIDDEN', `Your role (${user.role}) may not do this`);
      const params = ctx?.params ? await ctx.params : ({} as P);
      return uncompressedJson(await handler({ req, user, params }));
    } catch (error) {
      return errorResponse(error);
    }
  };
}
