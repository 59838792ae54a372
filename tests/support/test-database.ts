import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type TestProvider = 'sqlite' | 'postgresql';

export function testProvider(): TestProvider {
  return process.env.FACET_TEST_DB === 'postgresql' ? 'postgresql' : 'sqlite';
}

/** A new, empty database for one test file: a temp SQLite file, or a fresh PostgreSQL database. */
export async function freshDatabaseUrl(provider: TestProvider = testProvider()): Promise<string> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-db-'));
    return `file:${path.join(dir, 'test.db')}`;
  }
  const base = process.env.FACET_TEST_PG_URL;
  if (!base) throw new Error('FACET_TEST_PG_URL is not set');
  const name = `facet_test_${randomBytes(6).toString('hex')}`;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}
