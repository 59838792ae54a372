import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type DbProvider, providerOf, sqlitePath } from './provider';

/**
 * Facet applies its own migrations (written by `npm run db:new-migration`) for both providers,
 * because Prisma 6's `migrate deploy` fails on PostgreSQL with driver adapters here and Prisma 7's
 * CLI needs a downloaded engine. Each migration runs in one transaction with its record in
 * `_facet_migrations`; a lock keeps concurrent starters from applying anything twice, and an
 * applied migration whose file later changed is refused.
 */
export type Migration = { name: string; sql: string; checksum: string };
export type MigrateResult = { provider: DbProvider; applied: string[]; alreadyApplied: number };

const TABLE = '_facet_migrations';

export function migrationsDir(provider: DbProvider): string {
  return path.join(process.env.FACET_MIGRATIONS_DIR ?? path.join(process.cwd(), 'prisma/migrations'), provider);
}

export function loadMigrations(provider: DbProvider): Migration[] {
  const dir = migrationsDir(provider);
  return readdirSync(dir)
    .filter((name) => /^\d{4}_[a-z0-9_]+$/.test(name))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

function checkNotEdited(migration: Migration, recorded: string | undefined): boolean {
  if (recorded === undefined) return false;
  if (recorded !== migration.checksum) {
    throw new Error(`migration ${migration.name} was edited after it was applied; write a new migration instead`);
  }
  return true;
}

export async function migrate(url: string): Promise<MigrateResult> {
  const provider = providerOf(url);
  const migrations = loadMigrations(provider);
  return provider === 'sqlite' ? migrateSqlite(url, migrations) : migratePostgres(url, migrations);
}

async function migrateSqlite(url: string, migrations: Migration[]): Promise<MigrateResult> {
  const { default: Database } = await import('better-sqlite3');
  const file = sqlitePath(url);
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file, { timeout: 15_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE IF NOT EXISTS "${TABLE}" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const applied: string[] = [];
    let alreadyApplied = 0;
    for (const m of migrations) {
      // BEGIN IMMEDIATE takes the write lock first, so two starters serialise here.
      db.exec('BEGIN IMMEDIATE');
      try {
        const row = db.prepare(`SELECT checksum FROM "${TABLE}" WHERE name = ?`).get(m.name) as
          | { checksum: string }
          | undefined;
        if (checkNotEdited(m, row?.checksum)) {
          alreadyApplied++;
        } else {
          db.exec(m.sql);
          db.prepare(`INSERT INTO "${TABLE}" (name, checksum, applied_at) VALUES (?, ?, ?)`).run(
            m.name,
            m.checksum,
            new Date().toISOString(),
          );
          applied.push(m.name);
        }
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    }
    return { provider: 'sqlite', applied, alreadyApplied };
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<MigrateResult> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // One advisory lock for the whole run (released by unlock or when the session ends).
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${TABLE}" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "${TABLE}"`);
    const recorded = new Map(rows.map((r) => [r.name, r.checksum]));
    const applied: string[] = [];
    let alreadyApplied = 0;
    for (const m of migrations) {
      if (checkNotEdited(m, recorded.get(m.name))) {
        alreadyApplied++;
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "${TABLE}" (name, checksum) VALUES ($1, $2)`, [m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(m.name);
    }
    await client.query('SELECT pg_advisory_unlock(727274)');
    return { provider: 'postgresql', applied, alreadyApplied };
  } finally {
    await client.end();
  }
}
