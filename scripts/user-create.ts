/**
 * npm run user:create -- --email ann@example.org --role ANNOTATOR [--name "Ann"] [--password …]
 * Without --password a one-time password is generated and printed. Uses DATABASE_URL / FACET_DATA_DIR.
 */
import 'dotenv/config';
import { parseArgs } from 'node:util';
import { CreateUserInput } from '@/lib/api/users/schemas';
import { createUser } from '@/lib/api/users/create-user';
import { closeDb, getDb } from '@/lib/server/db';

async function main() {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, role: { type: 'string', default: 'ANNOTATOR' }, name: { type: 'string' }, password: { type: 'string' } },
  });
  const parsed = CreateUserInput.safeParse(values);
  if (!parsed.success) {
    console.error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
    console.error('usage: npm run user:create -- --email EMAIL --role ANNOTATOR|CURATOR|MAINTAINER|ADMIN [--name NAME] [--password PASSWORD]');
    process.exit(2);
  }
  const { user, oneTimePassword } = await createUser(await getDb(), parsed.data);
  console.log(`created ${user.email} (${user.role})${oneTimePassword ? `; one-time password: ${oneTimePassword}` : ''}`);
}

main()
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => closeDb());
