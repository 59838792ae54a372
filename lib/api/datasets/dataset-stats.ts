import { z } from 'zod';
import { AGE_BIN_COUNT, MAX_AGE, ageToBin } from '@/lib/domain/age-bins';
import type { PrismaClient } from '@/lib/server/db';

export const DatasetStatsQuery = z.object({ datasetId: z.string().max(64).optional() });

type Counted<K extends string> = Record<K, number>;

function tally<K extends string>(rows: { key: K | null; n: number }[]): Counted<K | 'none'> {
  const out = {} as Counted<K | 'none'>;
  for (const { key, n } of rows) out[(key ?? 'none') as K | 'none'] = (out[(key ?? 'none') as K | 'none'] ?? 0) + n;
  return out;
}

/** The median of a histogram given as counts per integer value. */
export function histogramMedian(counts: number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let value = 0; value < counts.length; value++) {
    seen += counts[value];
    if (seen * 2 >= total) return value;
  }
  return null;
}

/**
 * What a curator sees on the Datasets page: counts by status, gender and race, and the age
 * distribution, for human labels and model predictions side by side.
 */
export async function datasetStats(prisma: PrismaClient, datasetId?: string) {
  const where = datasetId ? { image: { datasetId } } : {};
  const labeled = { ...where, age: { not: null } };
  const [images, faces, byStatus, byGender, byRace, byPredGender, byPredRace, ages, predBins] = await Promise.all([
    prisma.image.count({ where: datasetId ? { datasetId } : {} }),
    prisma.face.count({ where }),
    prisma.face.groupBy({ by: ['status'], where, _count: { _all: true } }),
    prisma.face.groupBy({ by: ['gender'], where, _count: { _all: true } }),
    prisma.face.groupBy({ by: ['race'], where, _count: { _all: true } }),
    prisma.face.groupBy({ by: ['predGender'], where, _count: { _all: true } }),
    prisma.face.groupBy({ by: ['predRace'], where, _count: { _all: true } }),
    prisma.face.groupBy({ by: ['age'], where: labeled, _count: { _all: true } }),
    prisma.face.groupBy({ by: ['predAgeBin'], where: { ...where, predAgeBin: { not: null } }, _count: { _all: true } }),
  ]);
  const ageCounts = Array<number>(MAX_AGE + 1).fill(0);
  for (const row of ages) if (row.age !== null && row.age >= 0 && row.age <= MAX_AGE) ageCounts[row.age] += row._count._all;
  const labelBins = Array<number>(AGE_BIN_COUNT).fill(0);
  ageCounts.forEach((n, age) => (labelBins[ageToBin(age)] += n));
  const predBinCounts = Array<number>(AGE_BIN_COUNT).fill(0);
  for (const row of predBins) if (row.predAgeBin !== null && row.predAgeBin < AGE_BIN_COUNT) predBinCounts[row.predAgeBin] += row._count._all;
  return {
    images,
    faces,
    status: tally(byStatus.map((r) => ({ key: r.status, n: r._count._all }))),
    gender: { labels: tally(byGender.map((r) => ({ key: r.gender, n: r._count._all }))), predictions: tally(byPredGender.map((r) => ({ key: r.predGender, n: r._count._all }))) },
    race: { labels: tally(byRace.map((r) => ({ key: r.race, n: r._count._all }))), predictions: tally(byPredRace.map((r) => ({ key: r.predRace, n: r._count._all }))) },
    age: {
      byYear: ageCounts,
      median: histogramMedian(ageCounts),
      labelBins,
      predictionBins: predBinCounts,
      /** Median age bin of the labels and of the predictions, shown side by side. */
      labelMedianBin: histogramMedian(labelBins),
      predictionMedianBin: histogramMedian(predBinCounts),
    },
  };
}
