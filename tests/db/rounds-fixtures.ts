/**
 * Labeled faces for round tests: the UTKFace fixture crops (tests/fixtures/faces) as four images
 * each (as is, mirrored, inside a larger photo with a box, darker and smaller), so a round has a
 * few dozen faces with train / val / held-out splits. Labels come from the file names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { storeImage } from '@/lib/api/images/store-image';
import { ageToBin } from '@/lib/domain/age-bins';
import type { PrismaClient } from '@/lib/server/db';
import { normalizeImage } from '@/lib/server/ingest/normalize-image';

const DIR = path.resolve('tests/fixtures/faces');
const RACES = ['WHITE', 'BLACK', 'ASIAN', 'INDIAN', 'OTHER'] as const;

type Variant = { suffix: string; make: (chip: Buffer) => Promise<{ data: Buffer; box: { x: number; y: number; w: number; h: number } }> };

const VARIANTS: Variant[] = [
  { suffix: 'a', make: async (c) => ({ data: c, box: { x: 0, y: 0, w: 200, h: 200 } }) },
  { suffix: 'b', make: async (c) => ({ data: await sharp(c).flop().jpeg().toBuffer(), box: { x: 0, y: 0, w: 200, h: 200 } }) },
  {
    suffix: 'c',
    make: async (c) => ({
      data: await sharp({ create: { width: 340, height: 280, channels: 3, background: { r: 90, g: 110, b: 130 } } }).composite([{ input: c, left: 70, top: 40 }]).jpeg().toBuffer(),
      box: { x: 70, y: 40, w: 200, h: 200 },
    }),
  },
  { suffix: 'd', make: async (c) => ({ data: await sharp(c).resize(160, 160).modulate({ brightness: 0.8 }).jpeg().toBuffer(), box: { x: 0, y: 0, w: 160, h: 160 } }) },
];

/** Stores the fixture faces as LABELED; every 7th face gets gender NONBINARY (masked from the gender loss). */
export async function seedLabeledFaces(prisma: PrismaClient, userId: string, variants = VARIANTS.length): Promise<string[]> {
  const dataset = await prisma.dataset.upsert({ where: { name: 'Round faces' }, create: { name: 'Round faces' }, update: {} });
  const ids: string[] = [];
  let n = 0;
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.jpg')).sort()) {
    const [age, gender, race] = file.split('_').map(Number);
    const chip = readFileSync(path.join(DIR, file));
    for (const v of VARIANTS.slice(0, variants)) {
      const { data, box } = await v.make(chip);
      const normalized = await normalizeImage(data);
      if (!normalized.ok) throw new Error(normalized.message);
      const { imageId } = await storeImage(prisma, normalized, `${v.suffix}-${file}`, { datasetId: dataset.id, uploadedById: userId });
      const face = await prisma.face.create({
        data: {
          imageId, ...box, boxSource: 'DRAWN', status: 'LABELED', age, ageBin: ageToBin(age),
          gender: n++ % 7 === 3 ? 'NONBINARY' : gender === 0 ? 'MALE' : 'FEMALE', race: RACES[race] ?? 'UNKNOWN',
          labeledById: userId, labeledAt: new Date(),
        },
        select: { id: true },
      });
      ids.push(face.id);
    }
  }
  return ids;
}

/** Marks faces as labeled again now (new labels for the next round). */
export async function relabel(prisma: PrismaClient, ids: string[]) {
  await prisma.face.updateMany({ where: { id: { in: ids } }, data: { labeledAt: new Date() } });
}

/** Unlabeled queue faces (PREDICTED) on the same images, for re-scoring. */
export async function seedQueuedFaces(prisma: PrismaClient, count: number) {
  const images = await prisma.image.findMany({ take: count, select: { id: true, width: true, height: true } });
  for (const img of images) {
    await prisma.face.create({
      data: { imageId: img.id, x: 0, y: 0, w: img.width, h: img.height, status: 'PREDICTED', predModel: 'agegender-old', predDetScore: 0.9, uncertainty: 0.5 },
    });
  }
}
