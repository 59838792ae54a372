// Prisma cannot take `provider` from the environment, and one generated client serves one
// provider. So prisma/schema.prisma is the single source; this writes a copy per provider
// to prisma/generated/<provider>/schema.prisma and generates a client beside each.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PROVIDERS = ['sqlite', 'postgresql'];

export function schemaFor(provider) {
  const source = readFileSync(join(root, 'prisma/schema.prisma'), 'utf8');
  const out = source.replace(/(datasource db \{[^}]*provider\s*=\s*)"sqlite"/, `$1"${provider}"`);
  if (provider !== 'sqlite' && out === source) throw new Error('datasource provider line not found');
  return `// GENERATED from prisma/schema.prisma by scripts/prisma-generate.mjs: do not edit.\n${out}`;
}

export function writeSchemas() {
  return PROVIDERS.map((provider) => {
    const dir = join(root, 'prisma/generated', provider);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'schema.prisma');
    writeFileSync(file, schemaFor(provider));
    return { provider, file };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { provider, file } of writeSchemas()) {
    execFileSync(join(root, 'node_modules/.bin/prisma'), ['generate', '--schema', file], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      // getConfig fails without a URL, and Prisma then falls back to downloading a native engine.
      env: {
        ...process.env,
        DATABASE_URL: provider === 'sqlite' ? 'file:./unused.db' : 'postgresql://localhost/unused',
        FACET_DB_PROVIDER: provider, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    });
    console.log(`prisma client generated for ${provider}`);
  }
}
