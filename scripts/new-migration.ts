/**
 * Authors a migration for both providers from the change to prisma/schema.prisma:
 *   npm run db:new-migration -- <name>
 * SQL comes from `prisma migrate diff` (schema snapshot of the last migration → current schema).
 * Prisma's PostgreSQL diff needs a reachable server: set FACET_PG_URL (any scratch database).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const name = (process.argv[2] ?? '').replace(/[^a-z0-9_]/gi, '_').toLowerCase();
if (!name) throw new Error('usage: npm run db:new-migration -- <name>');
const pgUrl = process.env.FACET_PG_URL;
if (!pgUrl) throw new Error('set FACET_PG_URL to a scratch PostgreSQL database (needed by prisma migrate diff)');

execFileSync('node', [path.join(root, 'scripts/prisma-generate.mjs')], { stdio: 'inherit' });

for (const provider of ['sqlite', 'postgresql'] as const) {
  const dir = path.join(root, 'prisma/migrations', provider);
  mkdirSync(dir, { recursive: true });
  const snapshot = path.join(dir, 'schema.snapshot.prisma');
  const target = path.join(root, 'prisma/generated', provider, 'schema.prisma');
  const from = existsSync(snapshot) ? ['--from-schema-datamodel', snapshot] : ['--from-empty'];
  const sql = execFileSync(
    path.join(root, 'node_modules/.bin/prisma'),
    ['migrate', 'diff', ...from, '--to-schema-datamodel', target, '--script'],
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        CHECKPOINT_DISABLE: '1',
        FACET_DB_PROVIDER: provider,
        DATABASE_URL: provider === 'sqlite' ? 'file::memory:' : pgUrl,
      },
    },
  );
  if (/^-- This is an empty migration/m.test(sql) || !sql.trim()) {
    console.log(`${provider}: schema unchanged, no migration written`);
    continue;
  }
  const seq = String(readdirSync(dir).filter((f) => /^\d{4}_/.test(f)).length + 1).padStart(4, '0');
  const out = path.join(dir, `${seq}_${name}`);
  mkdirSync(out);
  writeFileSync(path.join(out, 'migration.sql'), sql);
  copyFileSync(target, snapshot);
  console.log(`${provider}: wrote ${path.relative(root, out)}/migration.sql`);
}
