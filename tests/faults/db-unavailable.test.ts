import { describe, expect, it } from 'vitest';
import { databaseUnavailable } from '@/lib/server/db/unavailable';
import { errorResponse } from '@/lib/server/http/errors';

/** The shapes these errors really take (recorded from Prisma 6.19 + adapter-pg / better-sqlite3 here). */
const pgTerminated = Object.assign(new Error('terminating connection due to administrator command'), {
  name: 'DriverAdapterError',
  cause: { originalCode: '57P01', kind: 'postgres', code: '57P01', severity: 'FATAL', message: 'terminating connection due to administrator command' },
});
const pgUnreachable = Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), {
  code: 'P1001',
  meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 } } },
});
const rawUnreachable = Object.assign(new Error('Raw query failed'), { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } });
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const sqliteBusy = Object.assign(new Error('Operation has timed out'), {
  code: 'P1008',
  meta: { driverAdapterError: { cause: { originalCode: 'SQLITE_BUSY', originalMessage: 'database is locked', kind: 'SocketTimeout' } } },
});

describe('database-unavailable errors', () => {
  it('recognises PostgreSQL down or restarting, and SQLite locked by another process', () => {
    expect(databaseUnavailable(pgTerminated)).toBe('unreachable');
    expect(databaseUnavailable(pgUnreachable)).toBe('unreachable');
    expect(databaseUnavailable(rawUnreachable)).toBe('unreachable');
    expect(databaseUnavailable(refused)).toBe('unreachable');
    expect(databaseUnavailable(new Error('wrapped', { cause: refused }))).toBe('unreachable');
    expect(databaseUnavailable(sqliteBusy)).toBe('busy');
  });

  it('leaves real bugs and constraint errors alone', () => {
    expect(databaseUnavailable(new TypeError('x is undefined'))).toBeNull();
    expect(databaseUnavailable(Object.assign(new Error('unique'), { code: 'P2002' }))).toBeNull();
    expect(databaseUnavailable(Object.assign(new Error('syntax'), { name: 'DriverAdapterError', cause: { kind: 'postgres', code: '42601' } }))).toBeNull();
  });

  it('maps them to 503 with Retry-After instead of 500', async () => {
    const down = errorResponse(pgUnreachable);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('2');
    expect((await down.json()).error.code).toBe('DB_UNAVAILABLE');
    const busy = errorResponse(sqliteBusy);
    expect(busy.status).toBe(503);
    expect((await busy.json()).error.code).toBe('DB_BUSY');
    expect(errorResponse(new TypeError('bug')).status).toBe(500);
  });
});
