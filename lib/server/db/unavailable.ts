/**
 * Recognises errors that mean "the database cannot answer right now" rather than "this request is
 * wrong": PostgreSQL unreachable, restarting or having dropped the connection, and SQLite still
 * locked by another process after the busy timeout. The HTTP layer answers these with 503 and
 * Retry-After (nothing was changed; the same request may simply be sent again), not with a 500.
 */
export type Unavailable = 'unreachable' | 'busy';

/** Connection exceptions (08…), shutdown / cannot connect now (57P01–57P03), too many connections (53300). */
const PG_UNAVAILABLE = /^(08|57P0[123]$|53300$)/;
/** Prisma: can't reach / timed out / server closed the connection / pool timeout. */
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const NODE_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'SQLITE_BUSY', 'SQLITE_LOCKED']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'DatabaseDoesNotExist', 'SocketTimeout', 'TooManyConnections', 'ConnectionClosed', 'TransactionAlreadyClosed']);

type Cause = { kind?: string; code?: string; originalCode?: string };

function causeOf(error: Record<string, unknown>): Cause | undefined {
  const meta = error.meta as { driverAdapterError?: { cause?: Cause } } | undefined;
  return meta?.driverAdapterError?.cause ?? (error.name === 'DriverAdapterError' ? (error.cause as Cause | undefined) : undefined);
}

export function databaseUnavailable(error: unknown, depth = 0): Unavailable | null {
  if (!error || typeof error !== 'object' || depth > 3) return null;
  const e = error as Record<string, unknown>;
  const cause = causeOf(e);
  if (cause) {
    if (cause.originalCode === 'SQLITE_BUSY' || cause.originalCode === 'SQLITE_LOCKED') return 'busy';
    if (cause.kind && ADAPTER_KINDS.has(cause.kind)) return 'unreachable';
    if (cause.kind === 'postgres' && typeof cause.code === 'string' && PG_UNAVAILABLE.test(cause.code)) return 'unreachable';
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'busy';
  if (code && (PRISMA_UNAVAILABLE.has(code) || NODE_UNAVAILABLE.has(code) || PG_UNAVAILABLE.test(code))) return 'unreachable';
  // pg's own wording when the server goes away between queries.
  if (typeof e.message === 'string' && /Connection terminated unexpectedly|Client has encountered a connection error/.test(e.message)) return 'unreachable';
  if (e.name === 'PrismaClientInitializationError') return 'unreachable';
  if (e instanceof AggregateError) return e.errors.map((x) => databaseUnavailable(x, depth + 1)).find(Boolean) ?? null;
  return databaseUnavailable(e.cause, depth + 1);
}
