import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getActiveModel } from '@/lib/api/models/get-active';
import { serveModelFile } from '@/lib/api/models/serve-model-file';
import type { PrismaClient } from '@/lib/server/db';
import {
  assertVersion, isAvailable, modelStoreRoot, nextVersionName, resolveActive, seedBundledVersions, storeVersionDir, sweepStoreTemp,
} from '@/lib/server/models/store';
import { startTestApp, stopTestApp } from '../support/test-app';

let prisma: PrismaClient;
beforeAll(async () => {
  prisma = await startTestApp();
});
afterAll(stopTestApp);

describe('model store', () => {
  it('seeds the bundled r0 once as the active, promoted first version', async () => {
    await Promise.all([seedBundledVersions(prisma, 'agegender'), seedBundledVersions(prisma, 'agegender')]);
    const rows = await prisma.modelVersion.findMany({ where: { name: 'agegender' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: 'r0', path: 'models/agegender/r0', status: 'PROMOTED', active: true });
    expect(isAvailable(rows[0])).toBe(true);
    expect(await getActiveModel(prisma, 'agegender')).toEqual({ name: 'agegender', version: 'r0', url: '/models/agegender/r0' });
  });

  it('accepts only plain version and model names (no traversal)', () => {
    for (const bad of ['..', '../r1', 'a/b', 'R1', '.hidden', 'r1.tmp-12', '', 'x'.repeat(41)]) expect(() => assertVersion(bad)).toThrow();
    expect(() => storeVersionDir('../etc', 'r1')).toThrow();
    expect(storeVersionDir('agegender', 'r12')).toBe(path.join(modelStoreRoot(), 'agegender', 'r12'));
  });

  it('never serves a half-written or unrecorded folder, sweeps dead writers\u2019 temp folders, skips orphan names', async () => {
    const dir = path.join(modelStoreRoot(), 'agegender');
    mkdirSync(path.join(dir, 'r1.tmp-999999'), { recursive: true });
    writeFileSync(path.join(dir, 'r1.tmp-999999', 'model.json'), '{"partial":');
    mkdirSync(path.join(dir, 'r1'), { recursive: true }); // a crash after the rename, before the row
    for (const f of ['manifest.json', 'model.json', 'weights.bin']) writeFileSync(path.join(dir, 'r1', f), '{}');
    await expect(serveModelFile(prisma, 'agegender', 'r1', 'model.json')).rejects.toMatchObject({ status: 404 });
    await expect(serveModelFile(prisma, 'agegender', 'r1.tmp-999999', 'model.json')).rejects.toMatchObject({ status: 400 });
    sweepStoreTemp('agegender');
    expect(existsSync(path.join(dir, 'r1.tmp-999999'))).toBe(false);
    expect(await nextVersionName(prisma, 'agegender')).toBe('r2');
    expect((await resolveActive(prisma, 'agegender')).served?.version).toBe('r0');
  });
});
