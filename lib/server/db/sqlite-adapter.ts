import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import type { SqliteConnection } from './raw';

type Statement = { run(...args: unknown[]): unknown };
type Prepared = Statement & { reader: boolean; columns(): unknown[]; raw(on?: boolean): { all(...args: unknown[]): unknown[] } };
type Db = { prepare(sql: string): Statement; pragma(sql: string): unknown };
type Adapter = Awaited<ReturnType<PrismaBetterSQLite3['connect']>>;
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>;

/**
 * Prisma's SQLite adapter opens transactions with a plain (deferred) BEGIN. Under concurrent
 * writers, a deferred transaction that reads and then writes cannot upgrade its lock and fails at
 * once with SQLITE_BUSY — the busy timeout never applies. Starting every transaction with BEGIN
 * IMMEDIATE takes the write lock up front, so writers queue (up to the busy timeout) instead of
 * failing. Each connection also gets foreign keys on and WAL-appropriate durability.
 *
 * The adapter also never releases its transaction mutex when BEGIN itself throws (6.19:
 * `startTransaction` acquires it, then runs BEGIN outside any finally), so one busy timeout would
 * hang every later transaction of the process. So BEGIN IMMEDIATE runs here, under our own lock,
 * before the adapter's startTransaction, whose own BEGIN becomes a no-op: a busy BEGIN fails
 * cleanly (503 DB_BUSY upstream) and the next transaction starts normally.
 *
 * Statements are prepared once per connection and reused (the adapter prepares every query afresh:
 * ~5% of the web process's CPU at 50 annotators). The adapter binds each prepared statement once
 * (`stmt.bind(args)`, which better-sqlite3 allows only once per statement), so the cached statement
 * is handed out behind a wrapper whose `bind` keeps the arguments for that one call.
 */
const STATEMENT_CACHE = 500;

function reusable(stmt: Prepared) {
  return {
    reader: stmt.reader,
    run: (...args: unknown[]) => stmt.run(...args),
    bind: (args: unknown[]) => ({
      reader: stmt.reader,
      run: () => stmt.run(args),
      columns: () => stmt.columns(),
      raw: () => ({ all: () => stmt.raw(true).all(args) }),
    }),
  };
}

export class ImmediateSQLiteAdapterFactory {
  readonly provider = 'sqlite' as const;
  readonly adapterName: string;
  readonly #inner: PrismaBetterSQLite3;
  /** The connection for direct raw statements, once connected. */
  connection: SqliteConnection | null = null;

  constructor(url: string, busyTimeoutMs = 10_000) {
    this.#inner = new PrismaBetterSQLite3({ url, timeout: busyTimeoutMs });
    this.adapterName = this.#inner.adapterName;
  }

  async connect(): Promise<Adapter> {
    const adapter = await this.#inner.connect();
    const db = (adapter as unknown as { client: Db }).client;
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    const prepare = db.prepare.bind(db);
    const begin = prepare('BEGIN IMMEDIATE');
    const alreadyBegun: Statement = { run: () => ({ changes: 0 }) };
    const cache = new Map<string, ReturnType<typeof reusable>>();
    db.prepare = (sql: string) => {
      if (sql === 'BEGIN') return alreadyBegun;
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = reusable(prepare(sql) as Prepared);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    };

    const startTransaction = adapter.startTransaction.bind(adapter);
    let queue: Promise<void> = Promise.resolve();
    /** The open transaction's end (Prisma's or a direct one), while one holds the connection. */
    let open: Promise<void> | null = null;
    /** Waits for the transactions before it; returns the release of this one's turn. */
    const turn = async () => {
      let release!: () => void;
      const previous = queue;
      queue = new Promise<void>((resolve) => (release = resolve));
      await previous;
      let end!: () => void;
      const mine = new Promise<void>((resolve) => (end = resolve));
      open = mine;
      return () => {
        if (open === mine) open = null;
        end();
        release();
      };
    };
    // The one connection is shared by every request of the process: a statement run while another
    // request's transaction is open would join it (and be rolled back with it after being
    // acknowledged). So statements outside a transaction wait for the open one to end.
    for (const method of ['queryRaw', 'executeRaw'] as const) {
      const inner = adapter[method].bind(adapter) as (q: unknown) => Promise<unknown>;
      (adapter as unknown as Record<string, (q: unknown) => Promise<unknown>>)[method] = async (q) => {
        while (open) await open;
        return inner(q);
      };
    }
    // Raw statements of lib/server/db/raw.ts run on this connection directly, their transactions
    // in turn with Prisma's.
    this.connection = {
      prepare: (sql: string) => prepare(sql) as unknown as ReturnType<SqliteConnection['prepare']>,
      get inTransaction() {
        return (db as unknown as { inTransaction: boolean }).inTransaction;
      },
      get openTransaction() {
        return open;
      },
      exclusive: async <T>(fn: () => Promise<T>) => {
        const release = await turn();
        try {
          return await fn();
        } finally {
          release();
        }
      },
    };
    adapter.startTransaction = async (isolationLevel) => {
      const release = await turn();
      try {
        begin.run();
      } catch (error) {
        release();
        return (adapter as unknown as { onError(e: unknown): never }).onError(error); // throws Prisma's DriverAdapterError
      }
      let tx: Transaction;
      try {
        tx = await startTransaction(isolationLevel);
      } catch (error) {
        try {
          prepare('ROLLBACK').run();
        } finally {
          release();
        }
        throw error;
      }
      const done = <T>(fn: () => Promise<T>) => () => fn().finally(release);
      tx.commit = done(tx.commit.bind(tx));
      tx.rollback = done(tx.rollback.bind(tx));
      return tx;
    };
    return adapter;
  }

  connectToShadowDb(): Promise<Adapter> {
    return this.#inner.connectToShadowDb();
  }
}
