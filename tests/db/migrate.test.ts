import { cpSync, mkdtempSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrismaClient } from '@/lib/server/db/client';
import { loadMigrations, migrate } from '@/lib/server/db/migrate';
import { providerOf } from '@/lib/server/db/provider';
import { freshDatabaseUrl, testProvider } from '../support/test-database';

afterEach(() => {
  delete process.env.FACET_MIGRATIONS_DIR;
});

describe(`migrations on ${testProvider()}`, () => {
  it('applies every migration once, then nothing', async () => {
    const url = await freshDatabaseUrl();
    const first = await migrate(url);
    expect(first.applied).toEqual(loadMigrations(providerOf(url)).map((m) => m.name));
    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(first.applied.length);
  });

  it('lets concurrent starters race without applying anything twice', async () => {
    const url = await freshDatabaseUrl();
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    const appliedTotal = results.reduce((n, r) => n + r.applied.length, 0);
    expect(appliedTotal).toBe(loadMigrations(providerOf(url)).length);
  });

  it('gives a working schema: the Prisma client reads and writes every core table', async () => {
    const url = await freshDatabaseUrl();
    await migrate(url);
    const prisma = await createPrismaClient(url);
    try {
      const user = await prisma.user.create({ data: { email: 'a@b.c', passwordHash: 'x', role: 'CURATOR' } });
      const dataset = await prisma.dataset.create({ data: { name: 'd' } });
      const image = await prisma.image.create({
        data: {
          contentHash: 'a'.repeat(64), storageKey: 'k', thumbKey: 't', mimeType: 'image/jpeg',
          bytes: 1, width: 10, height: 10, sourceName: 'a.jpg', datasetId: dataset.id, uploadedById: user.id,
        },
      });
      const face = await prisma.face.create({
        data: { imageId: image.id, x: 1.5, y: 2, w: 3, h: 4, predAgeProbs: [0.5, 0.5], gender: 'NONBINARY', race: 'UNKNOWN' },
      });
      await prisma.labelEvent.create({ data: { faceId: face.id, userId: user.id, action: 'LABEL', after: { age: 30 }, faceVersion: 1 } });
      await prisma.job.create({ data: { kind: 'EXPORT', params: { status: ['REVIEWED'] } } });
      const read = await prisma.face.findUniqueOrThrow({ where: { id: face.id } });
      expect(read.x).toBe(1.5);
      expect(read.predAgeProbs).toEqual([0.5, 0.5]);
      expect(read.status).toBe('PREDICTED');
      expect(read.version).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const url = await freshDatabaseUrl();
    const provider = providerOf(url);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-migrations-'));
    cpSync(path.join('prisma/migrations', provider), path.join(dir, provider), { recursive: true });
    process.env.FACET_MIGRATIONS_DIR = dir;
    await migrate(url);
    const first = loadMigrations(provider)[0].name;
    appendFileSync(path.join(dir, provider, first, 'migration.sql'), '\n-- edited\n');
    await expect(migrate(url)).rejects.toThrow(/edited after it was applied/);
  });

  it('rolls back a failing migration entirely and records nothing for it', async () => {
    const url = await freshDatabaseUrl();
    const provider = providerOf(url);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-migrations-'));
    cpSync(path.join('prisma/migrations', provider), path.join(dir, provider), { recursive: true });
    const broken = path.join(dir, provider, '9999_broken');
    cpSync(path.join(dir, provider, loadMigrations(provider)[0].name), broken, { recursive: true });
    writeFileSync(path.join(broken, 'migration.sql'), 'CREATE TABLE "Half" (id INTEGER);\nTHIS IS NOT SQL;\n');
    process.env.FACET_MIGRATIONS_DIR = dir;
    await expect(migrate(url)).rejects.toThrow();
    delete process.env.FACET_MIGRATIONS_DIR;
    const prisma = await createPrismaClient(url);
    try {
      const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT COUNT(*) AS n FROM "_facet_migrations" WHERE name = '9999_broken'`,
      );
      expect(Number(rows[0].n)).toBe(0);
      await expect(prisma.$queryRawUnsafe('SELECT * FROM "Half"')).rejects.toThrow();
    } finally {
      await prisma.$disconnect();
    }
  });
});
