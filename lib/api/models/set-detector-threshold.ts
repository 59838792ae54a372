import { z } from 'zod';
import type { PrismaClient } from '@/lib/server/db';
import { SWEEP_THRESHOLDS } from '@/lib/domain/detector-calibration';
import { notFound } from '@/lib/server/http/errors';

const [LOWEST, HIGHEST] = [SWEEP_THRESHOLDS[0], SWEEP_THRESHOLDS[SWEEP_THRESHOLDS.length - 1]];

export const DetectorThresholdBody = z
  .object({
    datasetId: z.string().min(1).max(64),
    /** null: back to the detector's default. */
    threshold: z.number().min(LOWEST).max(HIGHEST).nullable(),
    /** What the maintainer saw when applying it (kept in the audit trail). */
    evidence: z
      .object({ images: z.number().int().min(0), f1: z.number().min(0).max(1).nullable(), currentF1: z.number().min(0).max(1).nullable() })
      .partial()
      .optional(),
  })
  .strict();
export type DetectorThresholdBody = z.infer<typeof DetectorThresholdBody>;

/** Sets the detector's score threshold for a dataset's pre-labels (audited like other model actions). */
export async function setDetectorThreshold(prisma: PrismaClient, userId: string, body: DetectorThresholdBody) {
  return prisma.$transaction(async (tx) => {
    const dataset = await tx.dataset.findUnique({ where: { id: body.datasetId }, select: { id: true, name: true, detScoreThreshold: true } });
    if (!dataset) throw notFound('No such dataset');
    const updated = await tx.dataset.update({ where: { id: dataset.id }, data: { detScoreThreshold: body.threshold }, select: { id: true, name: true, detScoreThreshold: true } });
    await tx.auditEvent.create({
      data: {
        action: 'DETECTOR_THRESHOLD',
        actorId: userId,
        subject: `dataset/${dataset.name}`,
        details: { from: dataset.detScoreThreshold, to: body.threshold, evidence: body.evidence ?? null },
      },
    });
    return { dataset: { id: updated.id, name: updated.name, threshold: updated.detScoreThreshold }, previous: dataset.detScoreThreshold };
  });
}
