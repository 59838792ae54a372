import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type RunningServer, startServer } from '../support/server';

export const ADMIN = { email: 'admin@e2e.local', password: 'e2e-admin-password' };

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    dataDir: string;
  }
}

let server: RunningServer | undefined;

/** One production server for the browser tests (built first if there is no build). */
export async function setup(project: TestProject) {
  if (!existsSync(path.resolve('.next/BUILD_ID'))) {
    execFileSync(path.resolve('node_modules/.bin/next'), ['build'], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  }
  server = await startServer({ FACET_ADMIN_EMAIL: ADMIN.email, FACET_ADMIN_PASSWORD: ADMIN.password });
  project.provide('baseURL', server.url);
  project.provide('dataDir', server.dataDir);
}

export async function teardown() {
  await server?.stop();
}
