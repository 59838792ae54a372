/**
 * RESCORE job: after a promotion (or rollback), re-predict the queued faces (PREDICTED, never
 * labeled) with that version so the annotation queue's uncertainty order reflects it. Runs in the
 * worker on cached features (features of queued faces are extracted and cached here, which also
 * makes the next round's feature step warm). Most uncertain first, in batches, time-bounded
 * (FACET_RESCORE_MAX_SECONDS, default 600): what is left keeps its old scores and is reported.
 * Only prediction columns change (predModel = "<name>-<version>"); a face labeled meanwhile is
 * left alone; the face's version (the label's optimistic lock) is not touched. Then the design
 * picks (design-queue.ts) put the faces the model would learn most from at the head of the queue.
 */
import { z } from 'zod';
import { ageToBin, MAX_AGE } from '@/lib/domain/age-bins';
import { uncertainty } from '@/lib/domain/uncertainty';
import { initWasmBackend } from '@/lib/ml/backbones.node';
import { loadHeadsFromDir, readManifest } from '@/lib/ml/model.node';
import { blobs } from '@/lib/server/blobs';
import { locate, versionSelect } from '@/lib/server/models/store';
import { layoutOf } from '../trainer/dataset';
import { ensureFaceFeatures, faceFeatureRoot, storedFace } from '../trainer/face-features';
import { predictCached } from '../trainer/fit';
import type { JobContext } from '../runner';
import { updateInChunks } from './chunked-updates';
import { prioritiseByDesign } from './design-queue';
import { featureCacheBase } from './train-round';

const Params = z.object({ name: z.string(), version: z.string(), maxSeconds: z.number().positive().optional(), batchSize: z.number().int().min(1).max(1000).optional() });

export const predictionTag = (name: string, version: string) => `${name}-${version}`;

export async function runRescoreJob(ctx: JobContext) {
  const { prisma, job, signal } = ctx;
  const params = Params.parse(job.params);
  const row = await prisma.modelVersion.findUnique({ where: { name_version: { name: params.name, version: params.version } }, select: versionSelect });
  if (!row) throw new Error(`No model version ${params.name} ${params.version}`);
  const active = await prisma.modelVersion.findFirst({ where: { name: params.name, active: true }, select: { id: true } });
  if (active?.id !== row.id) {
    await ctx.log(`${params.version} is no longer active; nothing to re-score`, 'warn');
    return { rescored: 0, skipped: 'not active' };
  }
  const { dir } = locate(row);
  const manifest = readManifest(dir);
  await initWasmBackend();
  const heads = await loadHeadsFromDir(dir, manifest.heads.modelJson);
  const tag = predictionTag(params.name, params.version);
  const maxMs = 1000 * (params.maxSeconds ?? Number(process.env.FACET_RESCORE_MAX_SECONDS ?? 600));
  const batchSize = params.batchSize ?? 128;
  const where = { status: 'PREDICTED' as const, OR: [{ predModel: null }, { predModel: { not: tag } }] };
  // The queue as it is now, most uncertain first; taken in chunks (each re-checked when written).
  const queue = (await prisma.face.findMany({ where, orderBy: [{ uncertainty: 'desc' }, { id: 'asc' }], select: { id: true } })).map((f) => f.id);
  const total = queue.length;
  const t0 = Date.now();
  let rescored = 0;
  let failed = 0;
  let done = 0;
  const skip = new Set<string>();
  try {
    for (let at = 0; at < queue.length && Date.now() - t0 < maxMs; at += batchSize) {
      signal.throwIfAborted();
      const ids = queue.slice(at, at + batchSize);
      done = at + ids.length;
      const batch = await prisma.face.findMany({
        where: { ...where, id: { in: ids } },
        orderBy: [{ uncertainty: 'desc' }, { id: 'asc' }],
        select: { id: true, x: true, y: true, w: true, h: true, predDetScore: true, image: { select: { contentHash: true, storageKey: true } } },
      });
      if (batch.length === 0) continue;
      const items = batch.map((f) => ({ id: f.id, det: f.predDetScore, ...storedFace(f) }));
      let usable = items;
      let caches;
      try {
        ({ caches } = await ensureFaceFeatures(items, {
          layout: manifest.heads.featureLayout,
          cropMargin: manifest.preprocessing.cropMargin,
          root: faceFeatureRoot(featureCacheBase()),
          loadImage: (key) => blobs().get(key),
          signal,
        }));
      } catch (error) {
        if (signal.aborted) throw error;
        // One unreadable image must not stop the rest: retry the batch face by face.
        usable = [];
        for (const item of items) {
          try {
            ({ caches } = await ensureFaceFeatures([item], { layout: manifest.heads.featureLayout, cropMargin: manifest.preprocessing.cropMargin, root: faceFeatureRoot(featureCacheBase()), loadImage: (key) => blobs().get(key), signal }));
            usable.push(item);
          } catch {
            skip.add(item.id);
            failed++;
          }
        }
        if (!caches || usable.length === 0) continue;
      }
      const preds = predictCached(heads, manifest.heads, usable.map((i) => i.key), caches, manifest.preprocessing.flipTta);
      const now = new Date();
      const counts = await updateInChunks(prisma, usable, (item, i) => {
        const p = preds[i];
        const pMale = 1 - p.pFemale;
        const age = Math.min(MAX_AGE, Math.max(0, p.age));
        const u = uncertainty({ pMale, ageProbs: p.ageBins, detScore: item.det });
        return prisma.face.updateMany({
          where: { id: item.id, status: 'PREDICTED' },
          data: {
            predModel: tag,
            predGender: pMale >= 0.5 ? 'MALE' : 'FEMALE',
            predGenderConf: Math.max(pMale, 1 - pMale),
            predAge: age,
            predAgeBin: ageToBin(age),
            predAgeBinConf: p.ageBins[p.bin],
            predAgeProbs: p.ageBins,
            uncertainty: u.score,
            uncertaintyWhy: u.why,
            predictedAt: now,
          },
        });
      });
      for (const [i, count] of counts.entries()) {
        if (count === 0) skip.add(usable[i].id); // labeled meanwhile
        else rescored++;
      }
      ctx.progress(total ? Math.min(0.99, done / total) : 1, `re-scored ${rescored} of ${total} queued faces`);
    }
  } finally {
    heads.dispose();
  }
  const remaining = await prisma.face.count({ where });
  if (remaining > 0) await ctx.log(`time limit reached: ${remaining} queued faces keep their previous scores`, 'warn');
  await ctx.log(`re-scored ${rescored} queued faces with ${tag}${failed ? ` (${failed} unreadable)` : ''}`);
  ctx.progress(0.99, 'ordering the queue by design');
  let designed = 0;
  try {
    const design = await prioritiseByDesign(ctx, manifest, tag);
    designed = design.designed;
    await ctx.log(design.skipped ? `design order: ${design.skipped}` : `design order: the queue serves ${designed} faces first, the ones most unlike the ${design.labeled} labeled faces`);
  } catch (error) {
    if (signal.aborted) throw error;
    // The new scores are written; the queue just keeps its uncertainty order.
    await ctx.log(`design order failed (${error instanceof Error ? error.message : error}); the queue keeps its uncertainty order`, 'warn');
  }
  return { rescored, remaining, failed, designed, model: tag };
}
