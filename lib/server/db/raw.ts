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
  return db.$queryRawUnsafe<T[]>(dialect(providerOfClient(db), text), ...values);
}

export function execute(db: RawDb, text: string, ...values: unknown[]): Promise<number> {
  return db.$executeRawUnsafe(dialect(providerOfClient(db), text), ...values);
}

/** A unique-constraint violation, from a Prisma model call (P2002) or a raw statement (P2010). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } } | null;
  if (e?.code === 'P2002') return true;
  return e?.code === 'P2010' && e.meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation';
}
