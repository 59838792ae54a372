import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Every setting Facet reads from the environment, with its safe local default. */
const EnvSchema = z.object({
  FACET_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  FACET_STORAGE_DIR: z.string().optional(),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  FACET_ADMIN_EMAIL: z.string().email().default('admin@facet.local'),
  FACET_ADMIN_PASSWORD: z.string().min(8).optional(),
  FACET_DEFAULT_DATASET: z.string().min(1).default('Uploads'),
});

export type FacetConfig = {
  dataDir: string;
  databaseUrl: string;
  storageDir: string;
  adminEmail: string;
  adminPassword?: string;
  defaultDataset: string;
};

let cached: FacetConfig | undefined;

export function config(): FacetConfig {
  if (cached) return cached;
  const env = EnvSchema.parse(process.env);
  const dataDir = path.resolve(env.FACET_DATA_DIR);
  cached = {
    dataDir,
    databaseUrl: env.DATABASE_URL || `file:${path.join(dataDir, 'facet.db')}`,
    storageDir: path.resolve(env.FACET_STORAGE_DIR ?? path.join(dataDir, 'storage')),
    adminEmail: env.FACET_ADMIN_EMAIL.toLowerCase(),
    adminPassword: env.FACET_ADMIN_PASSWORD,
    defaultDataset: env.FACET_DEFAULT_DATASET,
  };
  return cached;
}

/** For tests that change the environment between cases. */
export function resetConfigCache(): void {
  cached = undefined;
}

/**
 * The session-signing secret: NEXTAUTH_SECRET when set, else a random one created once
 * and kept (mode 0600) in the data directory, so local installs are safe with no set-up.
 */
export function authSecret(): string {
  const fromEnv = process.env.NEXTAUTH_SECRET;
  if (fromEnv && fromEnv.length >= 16) return fromEnv;
  const { dataDir } = config();
  const file = path.join(dataDir, '.auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    return readFileSync(file, 'utf8').trim(); // another process won the race
  }
}
