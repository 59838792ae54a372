import sharp from 'sharp';
import type { PrismaClient } from '@/lib/server/db';

/**
 * Seeds the bench database: `faces` predicted faces (4 per image) with one PREDICT history event
 * each and `annotators` ANNOTATOR users sharing one password. Rows go in by multi-row INSERTs of
 * bench-made literals in one transaction per table (Prisma's createMany manages ~500 rows/s through
 * the SQLite adapter). Every image row points at one real stored JPEG, so the annotators' image
 * requests are served like real ones.
 */
export type Seeded = { users: { id: string; email: string }[]; password: string; faceIds: number };

const GENDERS = ['MALE', 'FEMALE'] as const;

async function insertRows(prisma: PrismaClient, table: string, columns: string[], count: number, values: (i: number) => unknown[]) {
  const lit = (v: unknown) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v)}'`);
  const BATCH = 1000;
  await prisma.$transaction(
    async (tx) => {
      for (let start = 0; start < count; start += BATCH) {
        const rows: string[] = [];
        for (let i = start; i < Math.min(count, start + BATCH); i++) rows.push(`(${values(i).map(lit).join(',')})`);
        await tx.$executeRawUnsafe(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(',')}) VALUES ${rows.join(',')}`);
      }
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

/** A deterministic pseudo-random sequence (mulberry32), so every run seeds the same queue. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function seed(prisma: PrismaClient, provider: 'sqlite' | 'postgresql', faces: number, annotators: number): Promise<Seeded> {
  const [{ normalizeImage }, { storeImage }, { hashPassword }] = await Promise.all([
    import('@/lib/server/ingest/normalize-image'),
    import('@/lib/api/images/store-image'),
    import('@/lib/server/auth/password'),
  ]);
  const random = rng(12345);
  const iso = new Date().toISOString();
  // DateTime literals as Prisma writes them for each provider.
  const stamp = provider === 'sqlite' ? iso.replace('Z', '+00:00') : iso.replace('T', ' ').replace('Z', '');
  const dataset = await prisma.dataset.create({ data: { name: `load-${Date.now()}` } });

  const photo = await sharp({ create: { width: 1024, height: 768, channels: 3, background: { r: 90, g: 120, b: 150 }, noise: { type: 'gaussian', mean: 120, sigma: 25 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
  const normalized = await normalizeImage(photo);
  if (!normalized.ok) throw new Error(normalized.message);
  const stored = await storeImage(prisma, normalized, 'load-bench.jpg', { datasetId: dataset.id, uploadedById: null });
  const real = await prisma.image.findUniqueOrThrow({ where: { id: stored.imageId } });

  const password = 'load-bench-password';
  const passwordHash = await hashPassword(password); // one scrypt hash shared by all bench users
  const users = Array.from({ length: annotators }, (_, i) => ({ id: `load-user-${i}`, email: `load${i}@bench.local` }));
  await prisma.user.createMany({ data: users.map((u) => ({ ...u, passwordHash, role: 'ANNOTATOR' as const })) });

  const images = Math.ceil(faces / 4);
  await insertRows(
    prisma,
    'Image',
    ['id', 'contentHash', 'storageKey', 'thumbKey', 'mimeType', 'bytes', 'width', 'height', 'sourceName', 'datasetId', 'createdAt'],
    images,
    (i) => [`load-img-${i}`, `load${i.toString(16).padStart(60, '0')}`, real.storageKey, real.thumbKey, real.mimeType, real.bytes, real.width, real.height, `${i}.jpg`, dataset.id, stamp],
  );
  await insertRows(
    prisma,
    'Face',
    ['id', 'imageId', 'x', 'y', 'w', 'h', 'predModel', 'predGender', 'predGenderConf', 'predAge', 'predAgeBin', 'uncertainty', 'uncertaintyWhy', 'createdAt', 'updatedAt'],
    faces,
    (i) => {
      const bin = Math.floor(random() * 20);
      const u = Math.round(random() * 1000) / 1000;
      const gender = GENDERS[Math.floor(random() * 2)];
      return [`load-face-${i}`, `load-img-${Math.floor(i / 4)}`, 40 + (i % 4) * 240, 200, 160, 200, 'bench', gender, 0.5 + u / 2, 20 + bin, bin, u, `gender uncertain: ${u.toFixed(2)}`, stamp, stamp];
    },
  );
  await insertRows(prisma, 'LabelEvent', ['faceId', 'imageId', 'action', 'faceVersion', 'createdAt'], faces, (i) => [
    `load-face-${i}`,
    `load-img-${Math.floor(i / 4)}`,
    'PREDICT',
    1,
    stamp,
  ]);
  if (provider === 'postgresql') await prisma.$executeRawUnsafe('VACUUM ANALYZE'); // what autovacuum does after a bulk insert
  return { users, password, faceIds: faces };
}
