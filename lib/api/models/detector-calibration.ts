import type { PrismaClient } from '@/lib/server/db';
import type { Box } from '@/lib/domain/box';
import { type Calibration, type CalibrationImage, MIN_FACES, MIN_IMAGES, type ScoredBox, calibrate } from '@/lib/domain/detector-calibration';
import { type HistoryEvent, reconstructDetections } from '@/lib/domain/detector-history';
import { DEFAULT_DETECT } from '@/lib/ml/detector';

/**
 * The detector's threshold when images were pre-labeled before their detector output was recorded
 * (DetectorRun): DEFAULT_DETECT.scoreThreshold was 0.5 until then, and nothing under it was saved.
 */
export const LEGACY_SCORE_THRESHOLD = 0.5;
/** The newest finished images per dataset that are evaluated. */
export const MAX_IMAGES = 5000;
const HUMAN_BOX = new Set(['LABELED', 'REVIEWED', 'IMPORTED']);
const CHUNK = 500;

export type DatasetCalibration = {
  id: string;
  name: string;
  /** The dataset's own threshold, or null when pre-labels use the detector's default. */
  threshold: number | null;
  inUse: number;
  /** How many of the dataset's recorded pre-labels used each threshold (the pre-label path's view). */
  prelabeledAt: { threshold: number; images: number }[];
  capped: boolean;
  calibration: Calibration;
};

type Row = {
  id: string;
  faces: (Box & { id: string; boxSource: string; status: string; predDetScore: number | null })[];
  detectorRun: { floor: number; detections: unknown } | null;
};

async function inChunks<T>(ids: string[], load: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await load(ids.slice(i, i + CHUNK))));
  return out;
}

/**
 * Images of the dataset whose faces people have finished: pre-labeled, no face still PREDICTED, and
 * a person has acted on the image (a face labeled, reviewed, imported or skipped, or a box drawn or
 * deleted), newest pre-label first. An image the detector found nothing on and nobody touched is
 * not among them: its misses are unknown.
 */
async function finishedImages(prisma: PrismaClient, datasetId: string): Promise<{ rows: Row[]; capped: boolean }> {
  const rows = await prisma.image.findMany({
    where: { datasetId, prelabelModel: { not: null }, faces: { none: { status: 'PREDICTED' } } },
    select: {
      id: true,
      faces: { select: { id: true, x: true, y: true, w: true, h: true, boxSource: true, status: true, predDetScore: true } },
      detectorRun: { select: { floor: true, detections: true } },
    },
    orderBy: [{ prelabeledAt: 'desc' }, { id: 'asc' }],
    take: MAX_IMAGES + 1,
  });
  const capped = rows.length > MAX_IMAGES;
  const candidates = rows.slice(0, MAX_IMAGES);
  const empty = candidates.filter((r) => r.faces.length === 0).map((r) => r.id);
  const touched = new Set(
    (await inChunks(empty, (ids) => prisma.labelEvent.findMany({ where: { imageId: { in: ids }, userId: { not: null } }, select: { imageId: true }, distinct: ['imageId'] }))).map(
      (e) => e.imageId,
    ),
  );
  return { rows: candidates.filter((r) => r.faces.length > 0 || touched.has(r.id)), capped };
}

function recorded(detections: unknown): ScoredBox[] {
  if (!Array.isArray(detections)) return [];
  return detections.filter((d): d is ScoredBox => ['x', 'y', 'w', 'h', 'score'].every((k) => typeof d?.[k] === 'number'));
}

/** Detector boxes vs. final human boxes for each finished image (recorded output, else rebuilt from history). */
export async function calibrationImages(prisma: PrismaClient, datasetId: string): Promise<{ images: CalibrationImage[]; capped: boolean }> {
  const { rows, capped } = await finishedImages(prisma, datasetId);
  const legacy = rows.filter((r) => !r.detectorRun).map((r) => r.id);
  const events = new Map<string, HistoryEvent[]>();
  const loaded = await inChunks(legacy, (ids) =>
    prisma.labelEvent.findMany({
      where: { imageId: { in: ids } },
      select: { id: true, imageId: true, faceId: true, action: true, before: true, after: true, faceVersion: true },
    }),
  );
  for (const e of loaded) events.set(e.imageId!, [...(events.get(e.imageId!) ?? []), e]);
  const images = rows.map((r) => ({
    detections: r.detectorRun ? recorded(r.detectorRun.detections) : reconstructDetections(r.faces, events.get(r.id) ?? []),
    truth: r.faces.filter((f) => HUMAN_BOX.has(f.status)).map(({ x, y, w, h }) => ({ x, y, w, h })),
    ignore: r.faces.filter((f) => f.status === 'SKIPPED').map(({ x, y, w, h }) => ({ x, y, w, h })),
    floor: r.detectorRun?.floor ?? LEGACY_SCORE_THRESHOLD,
  }));
  return { images, capped };
}

/** The Models page's Detector section: per dataset, the figures at the threshold in use, the sweep and the recommendation. */
export async function detectorCalibration(prisma: PrismaClient, min = { images: MIN_IMAGES, faces: MIN_FACES }) {
  const datasets = await prisma.dataset.findMany({ select: { id: true, name: true, detScoreThreshold: true }, orderBy: { name: 'asc' } });
  const out: DatasetCalibration[] = [];
  for (const d of datasets) {
    const { images, capped } = await calibrationImages(prisma, d.id);
    const inUse = d.detScoreThreshold ?? DEFAULT_DETECT.scoreThreshold;
    const runs = await prisma.detectorRun.groupBy({ by: ['scoreThreshold'], where: { image: { datasetId: d.id } }, _count: { _all: true } });
    out.push({
      id: d.id,
      name: d.name,
      threshold: d.detScoreThreshold,
      inUse,
      prelabeledAt: runs.map((r) => ({ threshold: r.scoreThreshold, images: r._count._all })).sort((a, b) => a.threshold - b.threshold),
      capped,
      calibration: calibrate(images, inUse, min),
    });
  }
  return { defaultThreshold: DEFAULT_DETECT.scoreThreshold, maxImages: MAX_IMAGES, min, datasets: out };
}
