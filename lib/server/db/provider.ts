export type DbProvider = 'sqlite' | 'postgresql';

/** The provider is chosen by DATABASE_URL's scheme: file: → SQLite, postgres(ql): → PostgreSQL. */
export function providerOf(url: string): DbProvider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got "${url.split(':')[0]}:…"`);
}

/** The SQLite file path of a file: URL (relative paths resolve against the working directory). */
export function sqlitePath(url: string): string {
  return url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
}
