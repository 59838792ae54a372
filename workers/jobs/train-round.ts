/**
 * TRAIN job: one fine-tune round of the age/gender heads on Facet's human labels.
 *
 * Data: faces LABELED/REVIEWED/IMPORTED with an age, cropped from the stored image by their box
 * through the inference preprocessing (features cached per backbone version + image hash + box).
 * Gender NONBINARY/UNKNOWN is masked out of the gender loss but kept for age. Split by the
 * image's content hash (lib/domain/split): train / val (early stopping) / test = the held-out set,
 * never trained on. The candidate (warm-started from the served version unless `fromScratch`) and
 * the current version are evaluated on the same held-out faces; the gate (lib/server/models/gate)
 * decides. The version folder is written atomically before its row; only then is it promoted.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { Prisma } from '@/prisma/generated/sqlite/client';
import { countNewLabels } from '@/lib/api/models/new-labels';
import { queueRescore } from '@/lib/api/models/queue-rescore';
import { RoundParams, TRAINING_FACES } from '@/lib/api/models/schemas';
import { DEFAULT_SPLIT_SEED, splitOf } from '@/lib/domain/split';
import { initWasmBackend } from '@/lib/ml/backbones.node';
import type { HeadsInfo, ModelManifest } from '@/lib/ml/manifest';
import { loadHeadsFromDir, readManifest } from '@/lib/ml/model.node';
import { blobs } from '@/lib/server/blobs';
import { config } from '@/lib/server/config';
import { decidePromotion, defaultGateRule } from '@/lib/server/models/gate';
import {
  activateVersion, locate, nextVersionName, resolveActive, seedBundledVersions, storePathOf, storeVersionDir, sweepStoreTemp,
} from '@/lib/server/models/store';
import { buildManifest } from '../trainer/build-manifest';
import { type CacheSet, layoutOf, openCacheSet } from '../trainer/dataset';
import { extractFeatures } from '../trainer/extract';
import { ensureFaceFeatures, faceFeatureRoot, storedFace } from '../trainer/face-features';
import { type FitResult, type LabelledFace, fitHeads, predictCached } from '../trainer/fit';
import { byKey, crossGroups, evaluate, type MetricReport } from '../trainer/metrics';
import { saveModelVersion, shippedCopy } from '../trainer/save-model';
import type { EpochReport } from '../trainer/train';
import { loadUtkFace } from '../trainer/utkface';
import { VARIANTS } from '../trainer/variants';
import { type JobContext, PermanentJobError } from '../runner';

export type RoundHooks = {
  /** Sees (and may alter) each epoch's report before it is checked: tests inject a NaN loss here. */
  onEpoch?: (r: EpochReport) => void;
};

type RoundFace = LabelledFace & { imageKey: string; box: { x: number; y: number; width: number; height: number }; dataset: string; split: string };

const GENDER_INDEX: Record<string, 0 | 1 | null> = { MALE: 0, FEMALE: 1 };

/** Where the worker keeps face features (FACET_FEATURE_CACHE_DIR, default FACET_DATA_DIR/cache/features). */
export function featureCacheBase(): string {
  return path.resolve(process.env.FACET_FEATURE_CACHE_DIR ?? path.join(config().dataDir, 'cache', 'features'));
}

/** A failure retrying cannot fix (no data, NaN loss): the runner fails the job instead of requeueing it. */
const clean = <T>(value: T): Prisma.InputJsonValue => JSON.parse(JSON.stringify(value)); // NaN → null

async function loadFaces(ctx: JobContext): Promise<RoundFace[]> {
  const rows = await ctx.prisma.face.findMany({
    where: TRAINING_FACES,
    select: {
      x: true, y: true, w: true, h: true, gender: true, age: true, race: true,
      image: { select: { contentHash: true, storageKey: true, dataset: { select: { name: true } } } },
    },
    orderBy: { id: 'asc' },
  });
  return rows.map((f) => ({
    ...storedFace(f),
    age: f.age!,
    gender: GENDER_INDEX[f.gender ?? ''] ?? null,
    race: f.race ?? 'UNKNOWN',
    dataset: f.image.dataset.name,
    split: splitOf(f.image.contentHash, DEFAULT_SPLIT_SEED),
  }));
}

function report(faces: RoundFace[], model: tf.LayersModel, heads: HeadsInfo, caches: CacheSet, flipTta: ModelManifest['preprocessing']['flipTta']) {
  // No held-out face yet (few images labeled): an empty report; the gate then refuses to promote.
  const preds = faces.length ? predictCached(model, heads, faces.map((f) => f.key), caches, flipTta) : [];
  return { ...evaluate(faces, preds), byGroup: crossGroups(faces, preds), byDataset: byKey(faces, preds, faces.map((f) => f.dataset)) };
}

/** The UTKFace test split, when ../shared/data/utkface is there (optional, slow the first time). */
async function utkTestReports(models: { model: tf.LayersModel; heads: HeadsInfo }[], flipTta: ModelManifest['preprocessing']['flipTta'], cropMargin: number, ctx: JobContext) {
  let records;
  try {
    records = loadUtkFace().filter((r) => r.split === 'test');
  } catch {
    await ctx.log('UTKFace test split not available; skipped', 'warn');
    return null;
  }
  const layout = models[0].heads.featureLayout;
  const backbones = [...new Set(layout.map((f) => f.backbone))] as Parameters<typeof extractFeatures>[1]['backbones'];
  await extractFeatures(records, { backbones, variants: [{ cropMargin, flip: false }, { cropMargin, flip: true }] });
  const caches = openCacheSet(layout, cropMargin);
  return models.map(({ model, heads }) => evaluate(records, predictCached(model, heads, records.map((r) => r.key), caches, flipTta)));
}

export async function runTrainRound(ctx: JobContext, hooks: RoundHooks = {}) {
  const { prisma, job, signal } = ctx;
  const params = RoundParams.parse(job.params);
  const { name } = params;
  const recorded = await prisma.modelVersion.findFirst({ where: { jobId: job.id }, select: { version: true, status: true } });
  if (recorded) return { ...recorded, note: 'recorded by an earlier attempt' };

  await seedBundledVersions(prisma, name);
  sweepStoreTemp(name);
  const { served: parent } = await resolveActive(prisma, name);
  if (!parent) throw new PermanentJobError(`No usable version of ${name} to start from`);
  const parentDir = locate(parent).dir;
  const parentManifest = readManifest(parentDir);
  const snapshotAt = new Date();
  const { count: newLabels } = await countNewLabels(prisma, name);
  if (newLabels === 0) throw new PermanentJobError('No faces were labeled since the last round; nothing new to train on.');

  const faces = await loadFaces(ctx);
  const train = faces.filter((f) => f.split === 'train');
  const heldOut = faces.filter((f) => f.split === 'test');
  let val = faces.filter((f) => f.split === 'val');
  if (train.length < 2) throw new PermanentJobError(`Only ${train.length} labeled faces fall in the training split; label more first.`);
  await ctx.log(`${faces.length} labeled faces (${newLabels} new): train ${train.length}, val ${val.length}, held-out ${heldOut.length}; parent ${parent.version}`);
  if (val.length === 0) {
    val = train;
    await ctx.log('no validation faces yet: early stopping watches the training faces', 'warn');
  }

  const flipTta = parentManifest.preprocessing.flipTta;
  const cropMargin = parentManifest.preprocessing.cropMargin;
  const features = params.fromScratch ? VARIANTS.r0.features : parentManifest.heads.featureLayout.map((f) => `${f.backbone}:${f.node}`);
  const allFeatures = [...new Set([...features, ...parentManifest.heads.featureLayout.map((f) => `${f.backbone}:${f.node}`)])];

  await initWasmBackend();
  ctx.progress(0.02, 'features');
  const { caches, extracted, ms: featureMs } = await ensureFaceFeatures(faces.map((f) => ({ key: f.key, imageKey: f.imageKey, box: f.box })), {
    layout: layoutOf(allFeatures),
    cropMargin,
    root: faceFeatureRoot(featureCacheBase()),
    loadImage: (key) => blobs().get(key),
    signal,
    log: (m) => void ctx.log(m),
    progress: (done, total) => ctx.progress(0.02 + 0.28 * (done / total), `features ${done}/${total}`),
  });
  await ctx.log(`features ready: ${extracted} extracted, ${faces.length - extracted} from cache (${(featureMs / 1000).toFixed(1)} s)`);

  const parentModel = await loadHeadsFromDir(parentDir, parentManifest.heads.modelJson);
  const warmModel = params.fromScratch ? null : await loadHeadsFromDir(parentDir, parentManifest.heads.modelJson);
  const maxEpochs = params.epochs ?? (params.fromScratch ? 40 : 25);
  const pendingLogs: Promise<unknown>[] = [];
  const trainStart = performance.now();
  let fit: FitResult;
  try {
    fit = await fitHeads(
      train,
      val,
      caches,
      {
        features,
        trainView: flipTta === 'mean-features' ? 'mean' : 'plain',
        flipTta,
        warmStart: warmModel ? { model: warmModel, heads: parentManifest.heads } : undefined,
        train: { epochs: maxEpochs, learningRate: params.learningRate ?? (params.fromScratch ? 1e-3 : 3e-4), patience: params.patience ?? 6, plateau: 3, batchSize: 128 },
      },
      undefined,
      {
        signal,
        onEpoch: (r) => {
          hooks.onEpoch?.(r);
          const done = r.epoch + 1;
          const eta = Math.round((((performance.now() - trainStart) / done) * (maxEpochs - done)) / 1000);
          const valMae = r.extra?.mae ?? null;
          const valAcc = r.extra?.acc ?? null;
          ctx.progress(0.3 + 0.6 * (done / maxEpochs), `epoch ${done}/${maxEpochs} · loss ${r.loss.toFixed(4)} · val MAE ${valMae?.toFixed(2) ?? '–'} · ETA ≤ ${eta} s`);
          // Promise.resolve starts the (lazy) Prisma query now, so the UI sees each epoch live.
          pendingLogs.push(Promise.resolve(
            prisma.jobLog.create({
              data: {
                jobId: job.id,
                message: `epoch ${done}: loss ${r.loss.toFixed(4)}, val MAE ${valMae?.toFixed(3) ?? '–'}, gender ${valAcc === null ? '–' : (100 * valAcc).toFixed(1) + '%'}`,
                data: clean({ type: 'epoch', epoch: done, maxEpochs, loss: r.loss, valMae, valAcc, ms: Math.round(r.ms), etaSeconds: eta }),
              },
            }),
          ));
        },
      },
    );
  } catch (error) {
    await Promise.allSettled(pendingLogs);
    parentModel.dispose();
    warmModel?.dispose();
    if (error instanceof Error && error.name === 'NonFiniteLossError') throw new PermanentJobError(`${error.message}: round failed, nothing saved or promoted`);
    throw error;
  }
  await Promise.allSettled(pendingLogs);
  ctx.progress(0.92, 'evaluating on the held-out set');

  const shipped = await shippedCopy(fit.model);
  try {
    const candidate = report(heldOut, shipped, fit.heads, caches, flipTta);
    const current = report(heldOut, parentModel, parentManifest.heads, caches, flipTta);
    const utk = params.includeUtkTest ? await utkTestReports([{ model: shipped, heads: fit.heads }, { model: parentModel, heads: parentManifest.heads }], flipTta, cropMargin, ctx) : null;
    const gate = decidePromotion(candidate.overall, heldOut.length ? current.overall : null, { ...defaultGateRule(), ...params.gate });
    await ctx.log(`gate: ${gate.promote ? 'promote' : 'reject'} — ${gate.reason}`);
    signal.throwIfAborted();

    const version = await nextVersionName(prisma, name);
    const dir = storeVersionDir(name, version);
    mkdirSync(path.dirname(dir), { recursive: true });
    const datasets = [...new Set(faces.map((f) => f.dataset))];
    const manifest = buildManifest({
      name,
      version,
      parentVersion: params.fromScratch ? null : parent.version,
      fit,
      flipTta,
      cropMargin,
      trainingData: {
        datasets: datasets.length ? datasets : ['(none)'],
        counts: { train: train.length, val: val === train ? 0 : val.length, test: heldOut.length },
        splitSeed: DEFAULT_SPLIT_SEED,
        splitKey: 'image content hash (splitOf(sha256, seed), 80/10/10); test = Facet’s held-out set, never trained on',
        genderMissingInTrain: train.filter((f) => f.gender === null).length,
        notes: `Facet round (job ${job.id}) ${params.fromScratch ? 'from scratch' : `warm-started from ${parent.version}`}`,
      },
      metrics: { val: fit.val, test: candidate as MetricReport },
      notes: [`gate: ${gate.reason}`],
    });
    await saveModelVersion(dir, shipped, manifest);

    const history = fit.history.map((h) => ({ epoch: h.epoch + 1, loss: h.loss, valMae: h.extra?.mae ?? null, valAcc: h.extra?.acc ?? null }));
    const row = await prisma.modelVersion.create({
      data: {
        name,
        version,
        path: storePathOf(name, version),
        status: gate.promote ? 'CANDIDATE' : 'REJECTED',
        metrics: clean({ heldOut: candidate, parentHeldOut: current, val: fit.val.overall, utkTest: utk ? { candidate: utk[0], parent: utk[1] } : null, gate, history, bestEpoch: fit.bestEpoch + 1 }),
        dataCounts: clean({
          snapshotAt: snapshotAt.toISOString(), newLabels, labeled: faces.length, train: train.length, val: val === train ? 0 : val.length, heldOut: heldOut.length,
          genderMasked: train.filter((f) => f.gender === null).length, extracted, featureSeconds: featureMs / 1000, trainSeconds: fit.trainMs / 1000,
          fromScratch: params.fromScratch, datasets,
        }),
        parentId: parent.id,
        jobId: job.id,
      },
    });
    let rescoreJobId: string | null = null;
    if (gate.promote) {
      await activateVersion(prisma, row.id);
      rescoreJobId = (await queueRescore(prisma, name, version, null)).id;
      await ctx.log(`${version} promoted; re-scoring the queue (job ${rescoreJobId})`);
    } else await ctx.log(`${version} kept as rejected candidate (a maintainer may still promote it)`);
    return clean({ version, promoted: gate.promote, reason: gate.reason, heldOut: candidate.overall, parentHeldOut: current.overall, parent: parent.version, rescoreJobId });
  } finally {
    shipped.dispose();
    fit.model.dispose();
    parentModel.dispose();
  }
}
