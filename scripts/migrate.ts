/** npm run db:migrate: apply pending migrations to DATABASE_URL (the server also does this on start). */
import 'dotenv/config';
import { config } from '@/lib/server/config';
import { migrate } from '@/lib/server/db/migrate';

migrate(config().databaseUrl)
  .then((r) => console.log(`${r.provider}: applied ${r.applied.length ? r.applied.join(', ') : 'nothing'} (${r.alreadyApplied} already applied)`))
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
