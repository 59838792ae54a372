/**
 * Round 0 of Facet's age/gender model: frozen face-api backbones + Facet's heads, trained on the
 * UTKFace train split (val for early stopping and read-out choice; test only reported).
 *
 *   npx tsx scripts/train-round0.ts                 # extract (cached) + train r0 + comparisons
 *   npx tsx scripts/train-round0.ts --only r0       # just r0 (writes public/models/agegender/r0)
 *   npx tsx scripts/train-round0.ts --extract-only  # fill .cache/features and stop
 *
 * r0 → public/models/agegender/r0/ + public/models/registry.json (committed);
 * comparison variants → .cache/models/<id>/ (for scripts/eval.ts; not committed).
 */
import path from 'node:path';
import { BACKBONES, type BackboneId } from '../lib/ml/backbones';
import { DEFAULT_SPLIT_SEED } from '../lib/domain/split';
import { initWasmBackend } from '../lib/ml/backbones.node';
import { buildManifest } from '../workers/trainer/build-manifest';
import { cachedKeys, layoutOf, openCacheSet } from '../workers/trainer/dataset';
import { extractFeatures } from '../workers/trainer/extract';
import { fitHeads, predictCached } from '../workers/trainer/fit';
import { evaluate } from '../workers/trainer/metrics';
import { registerVersion, saveModelVersion, shippedCopy } from '../workers/trainer/save-model';
import { loadUtkFaceOrExit, splitCounts } from '../workers/trainer/utkface';
import { VARIANTS, variantBackbones } from '../workers/trainer/variants';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const log = (msg: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${msg}`);
const CROP_MARGIN = 0;
const root = process.cwd();

async function main() {
  const records = loadUtkFaceOrExit('train:round0');
  const counts = splitCounts(records);
  log(`UTKFace: ${records.length} faces (train ${counts.train}, val ${counts.val}, test ${counts.test})`);
  await initWasmBackend();
  const only = option('--only');
  const variants = Object.values(VARIANTS).filter((v) => !only || only.split(',').includes(v.id));
  const backbones = [...new Set(variants.flatMap(variantBackbones))] as BackboneId[];
  const t0 = performance.now();
  await extractFeatures(records, {
    backbones,
    variants: [{ cropMargin: CROP_MARGIN, flip: false }, { cropMargin: CROP_MARGIN, flip: true }],
    log,
  });
  log(`features ready (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  if (flag('--extract-only')) return;

  for (const variant of variants) {
    const caches = openCacheSet(layoutOf(variant.features), CROP_MARGIN);
    const have = new Set(cachedKeys(records.map((r) => r.key), caches));
    const bySplit = (s: string) => records.filter((r) => r.split === s && have.has(r.key));
    const [train, val, test] = [bySplit('train'), bySplit('val'), bySplit('test')];
    log(`${variant.id}: ${variant.label}`);
    const fit = await fitHeads(train, val, caches, variant, (m) => log(m));
    // Evaluate exactly what ships: the weights after the float16 round trip.
    const shipped = await shippedCopy(fit.model);
    const evalOn = (rs: typeof test) => evaluate(rs, predictCached(shipped, fit.heads, rs.map((r) => r.key), caches, variant.flipTta));
    const valReport = evalOn(val);
    const testReport = evalOn(test);
    const o = testReport.overall;
    log(`${variant.id}: best epoch ${fit.bestEpoch}, ${(fit.trainMs / 1000).toFixed(0)} s; val MAE ${valReport.overall.ageMae.toFixed(2)} acc ${(100 * (valReport.overall.genderAccuracy ?? 0)).toFixed(2)}%; ` +
      `test MAE ${o.ageMae.toFixed(2)} acc ${(100 * (o.genderAccuracy ?? 0)).toFixed(2)}% (age read-out: ${fit.heads.ageFrom})`);
    const isR0 = variant.id === 'r0';
    const manifest = buildManifest({
      name: 'agegender',
      version: variant.id,
      parentVersion: null,
      fit,
      flipTta: variant.flipTta,
      cropMargin: CROP_MARGIN,
      trainingData: {
        datasets: ['UTKFace aligned & cropped (23,708 faces; ../shared/data/utkface)'],
        counts: { train: train.length, val: val.length, test: test.length },
        splitSeed: DEFAULT_SPLIT_SEED,
        splitKey: 'UTKFace file name (splitOf(name, seed), 80/10/10)',
        genderMissingInTrain: train.filter((r) => r.gender === null).length,
        notes: 'train: fitting; val: early stopping, lr schedule, age read-out; test: reported only',
      },
      metrics: { val: valReport, test: testReport },
      notes: [
        variant.label,
        ...backbones.filter((b) => BACKBONES[b].trainedOnUtkFace && variant.features.some((f) => f.startsWith(b)))
          .map((b) => `${b} was itself trained with UTKFace among its data: UTKFace test scores are optimistic.`),
      ],
    });
    const dir = isR0 ? path.join(root, 'public', 'models', 'agegender', 'r0') : path.join(root, '.cache', 'models', 'agegender', variant.id);
    await saveModelVersion(dir, shipped, manifest);
    log(`saved ${path.relative(root, dir)}`);
    if (isR0) {
      registerVersion(path.join(root, 'public', 'models', 'registry.json'), 'agegender', {
        version: 'r0',
        path: 'models/agegender/r0',
        created: manifest.created,
        parentVersion: null,
        summary: { testAgeMae: o.ageMae, testGenderAccuracy: o.genderAccuracy },
      }, true);
      log('registered agegender r0 as active in public/models/registry.json');
    }
    fit.model.dispose();
    shipped.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
