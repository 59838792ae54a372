import type { PrismaClient } from '@/lib/server/db';

/**
 * Model agreement: a face is *compared* when it has both human labels (gender, age bin) and both
 * predictions (gender, age bin); it *agrees* when the human gender equals the predicted gender and
 * the human age bin equals the predicted age bin (exact age, race and box are not compared).
 * Agreement rate = agreeing / compared, over faces whose status is LABELED or REVIEWED.
 */
export const comparedWhere = {
  gender: { not: null },
  ageBin: { not: null },
  predGender: { not: null },
  predAgeBin: { not: null },
} as const;

export function agreeWhere(prisma: Pick<PrismaClient, 'face'>) {
  return {
    AND: [
      comparedWhere,
      { gender: { equals: prisma.face.fields.predGender } },
      { ageBin: { equals: prisma.face.fields.predAgeBin } },
    ],
  };
}

export function disagreeWhere(prisma: Pick<PrismaClient, 'face'>) {
  return {
    AND: [
      comparedWhere,
      { NOT: { AND: [{ gender: { equals: prisma.face.fields.predGender } }, { ageBin: { equals: prisma.face.fields.predAgeBin } }] } },
    ],
  };
}

export const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);
