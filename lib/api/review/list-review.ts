import type { PrismaClient } from '@/lib/server/db';
import { disagreeWhere } from '@/lib/api/annotate/agreement';
import type { ReviewQuery } from './schemas';

const who = { select: { id: true, email: true, name: true } } as const;

export const reviewFaceSelect = {
  id: true,
  version: true,
  status: true,
  x: true,
  y: true,
  w: true,
  h: true,
  boxSource: true,
  gender: true,
  age: true,
  ageBin: true,
  race: true,
  predGender: true,
  predGenderConf: true,
  predAge: true,
  predAgeBin: true,
  predRace: true,
  uncertainty: true,
  servedReason: true,
  labeledAt: true,
  reviewedAt: true,
  labeledBy: who,
  reviewedBy: who,
  image: { select: { id: true, width: true, height: true, sourceName: true, dataset: { select: { id: true, name: true } } } },
} as const;

export function reviewWhere(prisma: PrismaClient, q: ReviewQuery) {
  return {
    status: { in: q.status },
    ...(q.annotatorId ? { labeledById: q.annotatorId } : {}),
    ...(q.datasetId ? { image: { datasetId: q.datasetId } } : {}),
    ...(q.from || q.to ? { labeledAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
    ...(q.gender ? { gender: q.gender } : {}),
    ...(q.ageBin !== undefined ? { ageBin: q.ageBin } : {}),
    ...(q.disagreement ? disagreeWhere(prisma) : {}),
  };
}

/** The curators' grid: faces matching the filters, newest labels first, each with what a crop needs. */
export async function listReview(prisma: PrismaClient, q: ReviewQuery) {
  const where = reviewWhere(prisma, q);
  const [rows, total] = await Promise.all([
    prisma.face.findMany({
      where,
      select: reviewFaceSelect,
      orderBy: [{ labeledAt: 'desc' }, { id: 'desc' }],
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
    }),
    prisma.face.count({ where }),
  ]);
  return {
    faces: rows.map((f) => {
      const compared = f.gender !== null && f.ageBin !== null && f.predGender !== null && f.predAgeBin !== null;
      return {
        id: f.id,
        version: f.version,
        status: f.status,
        image: { ...f.image, url: `/api/images/${f.image.id}/file`, thumbUrl: `/api/images/${f.image.id}/thumb` },
        box: { x: f.x, y: f.y, w: f.w, h: f.h },
        boxSource: f.boxSource,
        labels: { gender: f.gender, age: f.age, ageBin: f.ageBin, race: f.race },
        prediction: { gender: f.predGender, genderConf: f.predGenderConf, age: f.predAge, ageBin: f.predAgeBin, race: f.predRace },
        disagreement: compared ? { gender: f.gender !== f.predGender, ageBin: f.ageBin !== f.predAgeBin } : null,
        uncertainty: f.uncertainty,
        servedReason: f.servedReason,
        labeledBy: f.labeledBy,
        labeledAt: f.labeledAt,
        reviewedBy: f.reviewedBy,
        reviewedAt: f.reviewedAt,
      };
    }),
    total,
    page: q.page,
    pageSize: q.pageSize,
  };
}
