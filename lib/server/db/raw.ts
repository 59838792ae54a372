import type { DbProvider } from './provider';

/**
 * Raw SQL for hot paths. Each Prisma model call costs ~1–1.5 ms of CPU here (its wasm query
 * compiler plans every call afresh), a raw statement ~0.3 ms, so the annotation loop (session
 * check, next face, save) runs a handful of raw statements instead of a dozen model calls.
 * Portable: statements are written once with `?` placeholders; `?{Type}` marks a parameter that
 * PostgreSQL must cast (a native enum such as `?{"FaceStatus"}`, or `?{jsonb}`). Dates are bound as
 * Date objects and JSON as its text, which both adapters store exactly as Prisma does; results come
 * back typed (Date, boolean, parsed JSON) from the columns' declared types.
 */
export type RawDb = {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
};

/** The provider of a Prisma client (or of an interactive transaction's client). */
export function providerOfClient(db: unknown): DbProvider {
  return (db as { _activeProvider?: string })._activeProvider === 'postgresql' ? 'postgresql' : 'sqlite';
}

const cache = { sqlite: new Map<string, string>(), postgresql: new Map<string, string>() };

/** The statement in the provider's dialect: `?` → `$n` (PostgreSQL), `?{T}` → `$n::T` or `?`. Uncached. */
export function toDialect(provider: DbProvider, text: string): string {
  let n = 0;
  return text.replace(/\?(?:\{([^}]+)\})?/g, (_, cast: string | undefined) => {
    n += 1;
    if (provider === 'sqlite') return '?';
    return cast ? `$${n}::${cast}` : `$${n}`;
  });
}

/** toDialect, cached: hot-path statements repeat. */
export function dialect(provider: DbProvider, text: string): string {
  const known = cache[provider].get(text);
  if (known) return known;
  const out = toDialect(provider, text);
  if (cache[provider].size > 500) cache[provider].clear();
  cache[provider].set(text, out);
  return out;
}

/** `?, ?, …` for an IN list of `count` values (count ≥ 1). */
export function list(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

export function query<T>(db: RawDb, text: string, ...values: unknown[]): Promise<T[]> {
  const direct = directOf(db);
  if (direct) return direct.statement(text, values, true) as Promise<T[]>;
  return db.$queryRawUnsafe<T[]>(dialect(providerOfClient(db), text), ...values);
}

export function execute(db: RawDb, text: string, ...values: unknown[]): Promise<number> {
  const direct = directOf(db);
  if (direct) return direct.statement(text, values, false) as Promise<number>;
  return db.$executeRawUnsafe(dialect(providerOfClient(db), text), ...values);
}

/**
 * One transaction for raw statements: `fn` gets a handle to pass to query/execute. SQLite with a
 * registered connection runs it on that connection directly (see DirectSqlite); otherwise it is
 * Prisma's interactive transaction.
 */
export function transaction<T>(db: RawDb, fn: (tx: RawDb) => Promise<T>): Promise<T> {
  const direct = directOf(db);
  if (direct && TX in direct) return fn(direct); // already inside one: join it
  if (direct) return direct.transaction(fn);
  return (db as unknown as { $transaction(fn: (tx: RawDb) => Promise<T>): Promise<T> }).$transaction(fn);
}

// ---------------------------------------------------------------------------------------------
// SQLite without Prisma in between.
//
// Even a raw statement through Prisma costs ~0.5 ms of CPU here besides SQLite's own work (its
// client engine serialises the arguments, compiles a plan in wasm, maps every row through its
// type tags), ~20% of the web instance's CPU at 50 annotators. better-sqlite3 is synchronous and
// Prisma's adapter uses one connection per process, so raw statements can run on that same
// connection directly, with the same argument and result conversions as Prisma's adapter:
// Dates bound as ISO-8601 text with "+00:00", booleans as 1/0; results typed from the columns'
// declared types (DATETIME → Date, BOOLEAN → boolean, JSONB → parsed JSON, BIGINT → bigint,
// other integers → number). Errors carry the shape of Prisma's raw-query errors (P2010 with the
// driver adapter's cause), so isUniqueViolation and the 503 mapping see the same thing.
//
// Transactions: `transaction()` takes the adapter's transaction lock (so it never overlaps one of
// Prisma's), runs BEGIN IMMEDIATE, and while it is open every statement from outside it (direct or
// Prisma's, see sqlite-adapter.ts) waits for it to end, so another request's statement can never land inside it (and be rolled
// back with it) while it awaits between its statements.
// ---------------------------------------------------------------------------------------------

type SqliteColumn = { name: string; type: string | null };
type SqliteStatement = {
  reader: boolean;
  columns(): SqliteColumn[];
  raw(on?: boolean): SqliteStatement;
  all(...args: unknown[]): unknown[];
  run(...args: unknown[]): { changes: number };
};
/** What lib/server/db/sqlite-adapter.ts registers for a client: its connection and transaction lock. */
export type SqliteConnection = {
  prepare(sql: string): SqliteStatement;
  readonly inTransaction: boolean;
  /** The end of the transaction holding the connection (Prisma's or a direct one), if one is open. */
  readonly openTransaction: Promise<void> | null;
  /** Runs fn while no other transaction of this connection (Prisma's or ours) is open. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
};

// Kept on the objects themselves under global symbols, not in module-level maps: Next.js bundles
// a copy of this module into each route, and all of them must see the one client's registration
// and the one statement cache (the open transaction is the adapter's, on the connection).
const CONNECTION = Symbol.for('facet.raw.sqliteConnection');
const DIRECT = Symbol.for('facet.raw.directSqlite');
const TX = Symbol.for('facet.raw.directTx');
type Registered = { [CONNECTION]?: () => SqliteConnection | null };

/** Lets query/execute/transaction on `client` use its SQLite connection directly (once connected). */
export function registerSqliteConnection(client: object, connection: () => SqliteConnection | null) {
  (client as Registered)[CONNECTION] = connection;
}

function directOf(db: unknown): DirectSqlite | DirectTx | null {
  if ((db as { [TX]?: boolean })[TX]) return db as DirectTx;
  // A Prisma interactive transaction's client (no $transaction of its own) runs its statements in that transaction.
  if (typeof (db as { $transaction?: unknown }).$transaction !== 'function') return null;
  const connection = (db as Registered)[CONNECTION]?.() as (SqliteConnection & { [DIRECT]?: DirectSqlite }) | null | undefined;
  if (!connection) return null;
  return (connection[DIRECT] ??= new DirectSqlite(connection));
}

type Decode = (value: unknown) => unknown;
type Prepared = { stmt: SqliteStatement; names: string[]; decoders: (Decode | null)[] | null };

const toNumber: Decode = (v) => (v === null ? null : typeof v === 'bigint' ? Number(v) : v);
const toInteger: Decode = (v) => (v === null ? null : typeof v === 'number' ? Math.trunc(v) : Number(v));
const DECODERS: Record<string, Decode> = {
  INT: toInteger, INTEGER: toInteger, TINYINT: toInteger, SMALLINT: toInteger, MEDIUMINT: toInteger, INT2: toInteger, SERIAL: toInteger,
  BIGINT: (v) => (v === null ? null : BigInt(v as number | bigint)), INT8: (v) => (v === null ? null : BigInt(v as number | bigint)),
  REAL: toNumber, DOUBLE: toNumber, 'DOUBLE PRECISION': toNumber, NUMERIC: toNumber, FLOAT: toNumber, DECIMAL: toNumber,
  DATETIME: (v) => (v === null ? null : new Date(typeof v === 'string' ? v : Number(v))),
  TIMESTAMP: (v) => (v === null ? null : new Date(typeof v === 'string' ? v : Number(v))),
  BOOLEAN: (v) => (v === null ? null : Number(v) !== 0),
  JSONB: (v) => (v === null ? null : JSON.parse(v as string)),
  TEXT: (v) => v,
};
/** A column without a declared type (an expression): bigint as Prisma infers it, other values as they are. */
const undeclared: Decode = (v) => v;

function bindValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString().replace('Z', '+00:00');
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v === undefined ? null : v;
}

/** An error shaped like Prisma's raw-query failure (P2010 with the driver adapter's cause). */
class SqliteStatementError extends Error {
  readonly code = 'P2010';
  readonly meta: { driverAdapterError: { cause: { kind: string; originalCode: string; originalMessage: string } } };
  constructor(error: { code?: unknown; message: string }) {
    super(`Raw query failed. Code: \`${String(error.code ?? 'N/A')}\`. Message: \`${error.message}\``);
    const code = String(error.code ?? '');
    const kind = code === 'SQLITE_BUSY' ? 'SocketTimeout' : code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ? 'UniqueConstraintViolation' : 'sqlite';
    this.meta = { driverAdapterError: { cause: { kind, originalCode: code, originalMessage: error.message } } };
  }
}

/** A synchronous call as a settled promise (a throw becomes a rejection). */
function settled(fn: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

class DirectSqlite {
  private readonly cache = new Map<string, Prepared>();

  constructor(readonly connection: SqliteConnection) {}

  /** Outside any transaction: waits while one (Prisma's or a direct one) holds the connection. */
  statement(text: string, values: unknown[], reader: boolean): Promise<unknown> {
    const open = this.connection.openTransaction;
    if (open) return open.then(() => this.statement(text, values, reader));
    return settled(() => this.run(text, values, reader));
  }

  /** Synchronous: one statement on the connection. */
  run(text: string, values: unknown[], reader: boolean): unknown {
    let p = this.cache.get(text);
    try {
      if (!p) {
        const stmt = this.connection.prepare(toDialect('sqlite', text));
        p = { stmt, names: stmt.reader ? stmt.columns().map((c) => c.name) : [], decoders: null };
        if (this.cache.size >= 500) this.cache.clear();
        this.cache.set(text, p);
      }
      const args = values.map(bindValue);
      if (!p.stmt.reader) {
        const { changes } = p.stmt.run(...args);
        return reader ? [] : changes;
      }
      const rows = p.stmt.raw(true).all(...args) as unknown[][];
      if (!reader) return rows.length;
      p.decoders ??= p.stmt.columns().map((c) => (c.type ? (DECODERS[c.type.toUpperCase()] ?? null) : undeclared));
      const { names, decoders } = p;
      return rows.map((row) => {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) out[names[i]] = decoders[i] ? decoders[i]!(row[i]) : row[i];
        return out;
      });
    } catch (error) {
      if (error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string' && String((error as { code: string }).code).startsWith('SQLITE')) {
        throw new SqliteStatementError(error as { code: string; message: string });
      }
      throw error;
    }
  }

  /** While `exclusive` holds the connection, statements from outside wait (see statement). */
  transaction<T>(fn: (tx: RawDb) => Promise<T>): Promise<T> {
    return this.connection.exclusive(async () => {
      this.run('BEGIN IMMEDIATE', [], false);
      const tx = new DirectTx(this);
      try {
        const result = await fn(tx);
        this.run('COMMIT', [], false);
        return result;
      } catch (error) {
        if (this.connection.inTransaction) this.run('ROLLBACK', [], false);
        throw error;
      } finally {
        tx.closed = true;
      }
    });
  }
}

/** The handle a direct transaction's statements run on (never waits for its own transaction). */
class DirectTx implements RawDb {
  readonly [TX] = true;
  closed = false;
  constructor(private readonly direct: DirectSqlite) {}
  statement(text: string, values: unknown[], reader: boolean): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('transaction already closed'));
    return settled(() => this.direct.run(text, values, reader));
  }
  $queryRawUnsafe<T = unknown>(text: string, ...values: unknown[]): Promise<T> {
    return this.statement(text, values, true) as Promise<T>;
  }
  $executeRawUnsafe(text: string, ...values: unknown[]): Promise<number> {
    return this.statement(text, values, false) as Promise<number>;
  }
}

/** A unique-constraint violation, from a Prisma model call (P2002) or a raw statement (P2010). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } } | null;
  if (e?.code === 'P2002') return true;
  return e?.code === 'P2010' && e.meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation';
}
