import { randomBytes } from 'node:crypto';
import { config } from '@/lib/server/config';
import { providerOf, type DbProvider } from '@/lib/server/db/provider';
import { type RawDb, toDialect } from '@/lib/server/db/raw';

/**
 * Multi-row INSERTs in raw SQL for the import's hot path. Prisma's createMany costs 400–800 µs of
 * CPU per row here (its query compiler plans every row's values), most of a UTKFace import's
 * time; one parameterised INSERT of 256 rows costs under 100 µs a row. Portable across SQLite and
 * PostgreSQL: quoted identifiers, `?` or `$n` placeholders, and casts for PostgreSQL's native
 * enums and JSONB. Dates are bound as Date objects, so both adapters store them exactly as
 * Prisma itself does.
 */

/** A column and, for PostgreSQL, the type its parameter is cast to (an enum, jsonb). */
export type Column = { name: string; pgCast?: string };

export function currentProvider(): DbProvider {
  return providerOf(config().databaseUrl);
}

const sqlCache = new Map<string, string>();

/** `INSERT INTO "table" (...) VALUES (...), (...)` with one placeholder per value (cached: batches repeat). */
export function insertSql(provider: DbProvider, table: string, columns: Column[], rowCount: number, tail = ''): string {
  const cacheKey = `${provider}|${table}|${columns.map((c) => `${c.name}:${c.pgCast ?? ''}`).join(',')}|${rowCount}|${tail}`;
  const cached = sqlCache.get(cacheKey);
  if (cached) return cached;
  if (sqlCache.size > 100) sqlCache.clear();
  const row = `(${columns.map((c) => (c.pgCast ? `?{${c.pgCast}}` : '?')).join(', ')})`;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const sql = toDialect(provider, `INSERT INTO "${table}" (${names}) VALUES ${Array(rowCount).fill(row).join(', ')}${tail ? ` ${tail}` : ''}`);
  sqlCache.set(cacheKey, sql);
  return sql;
}

/** Rows per statement: keeps every statement well under SQLite's and PostgreSQL's parameter limits. */
function rowsPerStatement(columns: number): number {
  return Math.max(1, Math.floor(30_000 / columns));
}

/** Inserts `rows` (values in `columns` order). */
export async function insertRows(db: RawDb, table: string, columns: Column[], rows: unknown[][], provider = currentProvider()): Promise<void> {
  const step = rowsPerStatement(columns.length);
  for (let i = 0; i < rows.length; i += step) {
    const part = rows.slice(i, i + step);
    await db.$executeRawUnsafe(insertSql(provider, table, columns, part.length), ...part.flat());
  }
}

/**
 * Inserts `rows` skipping those that clash on the unique column `conflict`, and returns the
 * values of `returning` of the rows actually inserted (ON CONFLICT … DO NOTHING RETURNING works
 * on SQLite ≥ 3.35 and PostgreSQL).
 */
export async function insertRowsSkippingConflicts(
  db: RawDb,
  table: string,
  columns: Column[],
  rows: unknown[][],
  conflict: string,
  returning: string,
  provider = currentProvider(),
): Promise<Set<string>> {
  const inserted = new Set<string>();
  const step = rowsPerStatement(columns.length);
  for (let i = 0; i < rows.length; i += step) {
    const part = rows.slice(i, i + step);
    const sql = insertSql(provider, table, columns, part.length, `ON CONFLICT ("${conflict}") DO NOTHING RETURNING "${returning}" AS v`);
    const got = await db.$queryRawUnsafe<{ v: string }[]>(sql, ...part.flat());
    for (const row of got) inserted.add(row.v);
  }
  return inserted;
}

let counter = 0;
const fingerprint = randomBytes(2).toString('hex');
let pool = Buffer.alloc(0);
let poolAt = 0;

/** 8 random bytes as a base-36 string, from a pool (one randomBytes call per 512 ids). */
function random8(): string {
  if (poolAt + 8 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  const value = pool.readBigUInt64BE(poolAt);
  poolAt += 8;
  return value.toString(36).padStart(13, '0').slice(-8);
}

/**
 * A collision-resistant id shaped like Prisma's cuid() (25 characters, starts with "c", roughly
 * increasing with time), for rows inserted without Prisma's client-side default.
 */
export function newId(now = Date.now()): string {
  counter = (counter + 1) % 1_679_616; // 36^4
  return `c${now.toString(36).padStart(8, '0')}${counter.toString(36).padStart(4, '0')}${fingerprint}${random8()}`;
}
