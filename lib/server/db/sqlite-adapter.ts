import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

type Db = { prepare(sql: string): unknown; pragma(sql: string): unknown };
type Adapter = Awaited<ReturnType<PrismaBetterSQLite3['connect']>>;

/**
 * Prisma's SQLite adapter opens transactions with a plain (deferred) BEGIN. Under concurrent
 * writers, a deferred transaction that reads and then writes cannot upgrade its lock and fails at
 * once with SQLITE_BUSY — the busy timeout never applies. Starting every transaction with BEGIN
 * IMMEDIATE takes the write lock up front, so writers queue (up to the busy timeout) instead of
 * failing. Each connection also gets foreign keys on and WAL-appropriate durability.
 */
export class ImmediateSQLiteAdapterFactory {
  readonly provider = 'sqlite' as const;
  readonly adapterName: string;
  readonly #inner: PrismaBetterSQLite3;

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
    db.prepare = (sql: string) => prepare(sql === 'BEGIN' ? 'BEGIN IMMEDIATE' : sql);
    return adapter;
  }

  connectToShadowDb(): Promise<Adapter> {
    return this.#inner.connectToShadowDb();
  }
}
