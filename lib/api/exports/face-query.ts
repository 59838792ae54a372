import type { ExportParams } from './schemas';

/** The faces an export takes: labeled (age and gender known) and matching the filters. */
export function exportFaceWhere(filters: ExportParams['filters']) {
  return {
    status: { in: filters.statuses },
    age: { not: null },
    gender: { not: null },
    ...(filters.datasetId ? { image: { datasetId: filters.datasetId } } : {}),
    ...(filters.annotatorId ? { labeledById: filters.annotatorId } : {}),
    ...(filters.from || filters.to
      ? { labeledAt: { ...(filters.from ? { gte: filters.from } : {}), ...(filters.to ? { lt: filters.to } : {}) } }
      : {}),
  };
}

export const exportFaceSelect = {
  id: true,
  x: true,
  y: true,
  w: true,
  h: true,
  boxSource: true,
  gender: true,
  age: true,
  ageBin: true,
  race: true,
  status: true,
  labeledAt: true,
  reviewedAt: true,
  createdAt: true,
  predModel: true,
  predGender: true,
  predGenderConf: true,
  predAge: true,
  predAgeBin: true,
  predRace: true,
  uncertainty: true,
  labeledBy: { select: { email: true } },
  reviewedBy: { select: { email: true } },
  image: {
    select: { id: true, contentHash: true, storageKey: true, width: true, height: true, sourceName: true, dataset: { select: { name: true } } },
  },
} as const;
