/** Runs once when the server starts: migrate the database and create the first admin. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getDb } = await import('./lib/server/db');
  const { sweepStartup } = await import('./lib/server/startup');
  await getDb();
  await sweepStartup();
}
