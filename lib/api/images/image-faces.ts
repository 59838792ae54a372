import type { PrismaClient } from '@/lib/server/db';
import { notFound } from '@/lib/server/http/errors';

const imageSelect = {
  id: true,
  sourceName: true,
  width: true,
  height: true,
  createdAt: true,
  prelabelModel: true,
  prelabeledAt: true,
  dataset: { select: { id: true, name: true } },
} as const;

const faceSelect = {
  id: true,
  x: true,
  y: true,
  w: true,
  h: true,
  boxSource: true,
  status: true,
  gender: true,
  age: true,
  ageBin: true,
  predModel: true,
  predDetScore: true,
  predGender: true,
  predGenderConf: true,
  predAge: true,
  predAgeBin: true,
  predAgeBinConf: true,
  uncertainty: true,
  uncertaintyWhy: true,
  predictedAt: true,
} as const;

/** One image with every face on it: box (original pixels), the model's prediction and any human label. */
export async function imageFaces(prisma: PrismaClient, imageId: string) {
  const image = await prisma.image.findUnique({ where: { id: imageId }, select: imageSelect });
  if (!image) throw notFound('No such image (it may have been deleted)');
  const rows = await prisma.face.findMany({ where: { imageId }, select: faceSelect, orderBy: [{ x: 'asc' }, { id: 'asc' }] });
  return {
    image,
    faces: rows.map((f) => ({
      id: f.id,
      box: { x: f.x, y: f.y, w: f.w, h: f.h },
      boxSource: f.boxSource,
      status: f.status,
      label: f.gender === null && f.age === null ? null : { gender: f.gender, age: f.age, ageBin: f.ageBin },
      prediction:
        f.predModel === null && f.predGender === null
          ? null
          : {
              model: f.predModel,
              detScore: f.predDetScore,
              gender: f.predGender,
              genderConf: f.predGenderConf,
              age: f.predAge,
              ageBin: f.predAgeBin,
              ageBinConf: f.predAgeBinConf,
              uncertainty: f.uncertainty,
              uncertaintyWhy: f.uncertaintyWhy,
              predictedAt: f.predictedAt,
            },
    })),
  };
}
