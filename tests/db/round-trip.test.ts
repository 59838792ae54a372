import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportParams } from '@/lib/api/exports/schemas';
import { startExport } from '@/lib/api/exports/start-export';
import { importUtkface } from '@/lib/api/imports/import-utkface';
import { directorySource, zipSource } from '@/lib/api/imports/sources';
import { blobs } from '@/lib/server/blobs';
import type { PrismaClient } from '@/lib/server/db';
import { DEFAULT_LIMITS } from '@/lib/server/ingest/limits';
import { handlers } from '@/workers/handlers';
import { runOneJob } from '@/workers/runner';
import { createUser, startTestApp, stopTestApp } from '../support/test-app';

afterAll(stopTestApp);

async function labelsOf(prisma: PrismaClient) {
  const faces = await prisma.face.findMany({ select: { age: true, gender: true, race: true, status: true } });
  return faces.map((f) => `${f.age}/${f.gender}/${f.race}/${f.status}`).sort();
}

describe('UTKFace round trip', () => {
  it('export → import into an empty Facet gives the same labels', async () => {
    const first = await startTestApp();
    const curator = await createUser('CURATOR');
    const imported = await importUtkface(first, directorySource(path.resolve('tests/fixtures/faces'), DEFAULT_LIMITS), { userId: curator.id });
    expect(imported.imported).toBeGreaterThanOrEqual(6);
    const original = await labelsOf(first);

    const record = await startExport(first, ExportParams.parse({ filters: { statuses: ['IMPORTED'] } }), curator.id);
    expect(await runOneJob(first, 'round-trip', handlers)).toBe(true);
    const finished = await first.export.findUniqueOrThrow({ where: { id: record.id } });
    const zip = path.join(mkdtempSync(path.join(os.tmpdir(), 'facet-rt-')), 'export.zip');
    writeFileSync(zip, await blobs().get(finished.storageKey!));

    const second = await startTestApp(); // a fresh, empty database and store
    expect(await second.face.count()).toBe(0);
    const reimported = await importUtkface(second, zipSource(zip, DEFAULT_LIMITS), {});
    expect(reimported.imported).toBe(imported.imported);
    expect(await labelsOf(second)).toEqual(original);
  }, 120_000);
});
