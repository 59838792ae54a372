import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = { '@': path.resolve(__dirname) };
const pgUrl = process.env.FACET_TEST_PG_URL;

/**
 * unit: pure modules. db-sqlite / db-postgresql: route handlers and server modules against a
 * real database (PostgreSQL when FACET_TEST_PG_URL is set; scripts/test.sh starts one).
 * faults: the production build killed, restarted and fed hostile input (tests/faults).
 * e2e: the production build in Debian Chromium.
 */
export default defineConfig({
  resolve: { alias },
  test: {
    // Vitest's default on 2 cores is one file at a time; most files wait on servers, browsers and
    // databases, so two at once roughly halves the suite's wall time here.
    maxWorkers: 2,
    projects: [
      { resolve: { alias }, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 60_000 } },
      {
        resolve: { alias },
        test: {
          name: 'db-sqlite',
          include: ['tests/db/**/*.test.ts'],
          env: { FACET_TEST_DB: 'sqlite' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      ...(pgUrl
        ? [
            {
              resolve: { alias },
              test: {
                name: 'db-postgresql',
                include: ['tests/db/**/*.test.ts'],
                env: { FACET_TEST_DB: 'postgresql' },
                testTimeout: 60_000,
                hookTimeout: 60_000,
              },
            },
          ]
        : []),
      {
        resolve: { alias },
        test: {
          // Production server killed and restarted, databases stopped and locked, hostile uploads.
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
