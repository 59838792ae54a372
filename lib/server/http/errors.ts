import { ZodError } from 'zod';
import { databaseUnavailable } from '../db/unavailable';

/** An error whose message is safe to show the user, with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what = 'Not found') => new HttpError(404, 'NOT_FOUND', what);
export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'BAD_REQUEST', message, details);
export const conflict = (message: string, details?: unknown) => new HttpError(409, 'CONFLICT', message, details);

export function jsonError(status: number, code: string, message: string, details?: unknown): Response {
  return Response.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, { status });
}

/** Maps anything thrown by a handler to a response; unexpected errors are logged, not shown. */
export function errorResponse(error: unknown): Response {
  if (error instanceof HttpError) return jsonError(error.status, error.code, error.message, error.details);
  if (error instanceof ZodError) {
    const details = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return jsonError(400, 'INVALID_INPUT', details.map((d) => `${d.path || 'input'}: ${d.message}`).join('; '), details);
  }
  const code = (error as { code?: unknown })?.code;
  if (code === 'P2025') return jsonError(404, 'NOT_FOUND', 'Not found');
  if (code === 'P2002') return jsonError(409, 'CONFLICT', 'That already exists');
  const unavailable = databaseUnavailable(error);
  if (unavailable) {
    console.warn(`[facet] database ${unavailable === 'busy' ? 'busy' : 'unavailable'}: ${(error as Error)?.message?.split('\n').pop() ?? error}`);
    const res = unavailable === 'busy'
      ? jsonError(503, 'DB_BUSY', 'The database is busy with other writes; nothing was changed. Try again in a moment.')
      : jsonError(503, 'DB_UNAVAILABLE', 'The database cannot be reached right now. Try again in a moment (a save sent again is not applied twice).');
    res.headers.set('retry-after', '2');
    return res;
  }
  console.error('[facet] unhandled error in route', error);
  return jsonError(500, 'INTERNAL', 'Something went wrong on the server; nothing was changed.');
}
