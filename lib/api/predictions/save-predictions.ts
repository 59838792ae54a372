import { z } from 'zod';
import { AGE_BIN_COUNT, ageToBin, expectedAge, MAX_AGE } from '@/lib/domain/age-bins';
import { iou } from '@/lib/domain/box';
import { UTK_RACES } from '@/lib/domain/utkface-name';
import { uncertainty } from '@/lib/domain/uncertainty';
import { type Box, clampBox, isUsableBox } from '@/lib/domain/box';
import type { PrismaClient } from '@/lib/server/db';
import { HttpError, notFound } from '@/lib/server/http/errors';

const prob = z.number().min(0).max(1);

export const PredictionsBody = z.object({
  /** The model version that made these predictions (registry name/version). */
  model: z.string().min(1).max(100).regex(/^[A-Za-z0-9._:/-]+$/),
  /** Re-predict even if this model already pre-labeled the image. */
  force: z.boolean().optional(),
  faces: z
    .array(
      z.object({
        box: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }),
        detScore: prob,
        pMale: prob,
        ageProbs: z.array(prob).length(AGE_BIN_COUNT),
        age: z.number().min(0).max(MAX_AGE).optional(),
        raceProbs: z.array(prob).length(UTK_RACES.length).optional(),
      }),
    )
    .max(500),
  /**
   * The detector's threshold for this run and how far down its boxes were recorded: boxes scoring
   * in [floor, scoreThreshold) come as `candidates` (not made faces). Kept as the image's DetectorRun
   * for detector calibration; without it the image's older record is dropped.
   */
  detector: z.object({ scoreThreshold: prob, floor: prob }).refine((d) => d.floor <= d.scoreThreshold, 'floor must not exceed scoreThreshold').optional(),
  candidates: z
    .array(z.object({ box: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }), detScore: prob }))
    .max(500)
    .optional(),
}).refine(
  (b) => !b.candidates?.length || (b.detector && b.candidates.every((c) => c.detScore >= b.detector!.floor && c.detScore < b.detector!.scoreThreshold)),
  { message: 'candidates need `detector` and must score in [floor, scoreThreshold)', path: ['candidates'] },
);
export type PredictionsBody = z.infer<typeof PredictionsBody>;

const argmax = (values: readonly number[]) => values.reduce((best, v, i) => (v > values[best] ? i : best), 0);

/** The prediction columns of a face, with its uncertainty computed here (never trusted from the client). */
function predictionFields(model: string, face: PredictionsBody['faces'][number], now: Date) {
  const bin = argmax(face.ageProbs);
  const age = face.age ?? expectedAge(face.ageProbs);
  const { score, why } = uncertainty({ pMale: face.pMale, ageProbs: face.ageProbs, detScore: face.detScore });
  const race = face.raceProbs ? argmax(face.raceProbs) : null;
  return {
    predModel: model,
    predDetScore: face.detScore,
    predGender: face.pMale >= 0.5 ? ('MALE' as const) : ('FEMALE' as const),
    predGenderConf: Math.max(face.pMale, 1 - face.pMale),
    predAge: age,
    predAgeBin: Number.isFinite(age) ? ageToBin(Math.min(MAX_AGE, Math.max(0, age))) : bin,
    predAgeBinConf: face.ageProbs[bin],
    predAgeProbs: face.ageProbs,
    predRace: race === null ? null : UTK_RACES[race],
    predRaceConf: race === null ? null : face.raceProbs![race],
    uncertainty: score,
    uncertaintyWhy: why,
    predictedAt: now,
  };
}

/**
 * Stores one image's pre-labels from the browser. Untouched detections of an earlier run are
 * replaced; faces people already worked on keep their labels and box but take the new prediction
 * when a new detection overlaps them (IoU ≥ 0.5). An image this model already pre-labeled is left
 * alone unless `force` — so reloads and retries never predict twice.
 */
export async function savePredictions(prisma: PrismaClient, imageId: string, body: PredictionsBody) {
  const image = await prisma.image.findUnique({ where: { id: imageId }, select: { width: true, height: true, prelabelModel: true } });
  if (!image) throw notFound('No such image (it may have been deleted)');
  if (image.prelabelModel === body.model && !body.force) return { skipped: true, created: 0, updated: 0, replaced: 0 };
  const now = new Date();
  const boxes = body.faces.map((f) => clampBox(f.box, image.width, image.height));
  if (boxes.some((b) => !isUsableBox(b))) throw new HttpError(400, 'BOX_TOO_SMALL', 'A predicted box is smaller than 2×2 pixels inside the image');

  return prisma.$transaction(async (tx) => {
    const existing = await tx.face.findMany({
      where: { imageId },
      select: { id: true, x: true, y: true, w: true, h: true, status: true, version: true, boxSource: true },
    });
    const untouched = existing.filter((f) => f.status === 'PREDICTED' && f.version === 1 && f.boxSource === 'DETECTED');
    const kept = existing.filter((f) => !untouched.includes(f));
    await tx.face.deleteMany({ where: { id: { in: untouched.map((f) => f.id) } } });
    let created = 0;
    let updated = 0;
    for (const [i, face] of body.faces.entries()) {
      const fields = predictionFields(body.model, face, now);
      const box = boxes[i];
      const match = kept.find((k) => iou(k, box) >= 0.5);
      if (match) {
        // Prediction columns only: the person's box, labels and version stay as they are.
        await tx.face.update({ where: { id: match.id }, data: fields });
        updated++;
      } else {
        await tx.face.create({ data: { imageId, ...box, boxSource: 'DETECTED', status: 'PREDICTED', ...fields } });
        created++;
      }
    }
    await tx.image.update({ where: { id: imageId }, data: { prelabelModel: body.model, prelabeledAt: now } });
    await recordDetectorRun(tx, imageId, body, boxes, image);
    return { skipped: false, created, updated, replaced: untouched.length };
  });
}

type Tx = Pick<PrismaClient, 'detectorRun'>;

/** The detector's own output for this save (faces and below-threshold candidates), replacing the image's older record. */
async function recordDetectorRun(tx: Tx, imageId: string, body: PredictionsBody, faceBoxes: Box[], image: { width: number; height: number }) {
  if (!body.detector) {
    await tx.detectorRun.deleteMany({ where: { imageId } });
    return;
  }
  const detections = [
    ...body.faces.map((f, i) => ({ ...faceBoxes[i], score: f.detScore })),
    ...(body.candidates ?? []).map((c) => ({ ...clampBox(c.box, image.width, image.height), score: c.detScore })).filter(isUsableBox),
  ].sort((a, b) => b.score - a.score);
  const data = { model: body.model, scoreThreshold: body.detector.scoreThreshold, floor: body.detector.floor, detections, createdAt: new Date() };
  await tx.detectorRun.upsert({ where: { imageId }, create: { imageId, ...data }, update: data });
}
