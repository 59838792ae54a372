/**
 * Evaluate Facet's age/gender models on the UTKFace TEST split, next to face-api's own age/gender
 * net (run on the same crops) and the paper's figures.
 *
 *   npx tsx scripts/eval.ts [--limit N] [--no-pipeline-check]
 *
 * Models: public/models/agegender/r0 (committed) and any comparison variants in
 * .cache/models/agegender/* (written by scripts/train-round0.ts). Features come from the cache
 * (.cache/features), extracted on demand for the test faces.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ageToBin } from '../lib/domain/age-bins';
import type { BackboneId } from '../lib/ml/backbones';
import { initWasmBackend } from '../lib/ml/backbones.node';
import { decodeImage } from '../lib/ml/image.node';
import { loadAgeGenderModelNode, loadHeadsFromDir, readManifest } from '../lib/ml/model.node';
import { predictFaces } from '../lib/ml/predict';
import { wholeImageBox } from '../lib/ml/preprocess';
import { type CacheSet, openCacheSet } from '../workers/trainer/dataset';
import { extractFeatures, openCache } from '../workers/trainer/extract';
import { predictCached } from '../workers/trainer/fit';
import { evaluate, type Prediction } from '../workers/trainer/metrics';
import { groupTable, overallTable, type ReportRow } from '../workers/trainer/report';
import { type FaceRecord, loadUtkFaceOrExit } from '../workers/trainer/utkface';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const root = process.cwd();
const CROP_MARGIN = 0;

/** Every k-th test face, so a limited run still spans all ages. */
function spread(records: FaceRecord[], limit: number): FaceRecord[] {
  if (limit >= records.length) return records;
  const step = records.length / limit;
  return Array.from({ length: limit }, (_, i) => records[Math.floor(i * step)]);
}

function modelDirs(): { name: string; dir: string }[] {
  const dirs = [{ name: 'r0 (shipped)', dir: path.join(root, 'public', 'models', 'agegender', 'r0') }];
  const alt = path.join(root, '.cache', 'models', 'agegender');
  if (existsSync(alt)) {
    for (const v of readdirSync(alt).sort()) if (v !== 'r0' && existsSync(path.join(alt, v, 'manifest.json'))) dirs.push({ name: v, dir: path.join(alt, v) });
  }
  return dirs.filter((d) => existsSync(path.join(d.dir, 'manifest.json')));
}

async function main() {
  const records = loadUtkFaceOrExit('eval (nothing evaluated)');
  const limit = Number(option('--limit') ?? Infinity);
  const test = spread(records.filter((r) => r.split === 'test'), limit);
  const keys = test.map((r) => r.key);
  await initWasmBackend();
  const models = modelDirs();
  const backbones = new Set<BackboneId>(['faceapi-agegender']);
  for (const m of models) for (const b of readManifest(m.dir).backbones) backbones.add(b.id as BackboneId);
  const t0 = performance.now();
  await extractFeatures(test, {
    backbones: [...backbones],
    variants: [{ cropMargin: CROP_MARGIN, flip: false }, { cropMargin: CROP_MARGIN, flip: true }],
    log: (m) => console.log(m),
  });
  console.log(`UTKFace test split: ${test.length} faces (features ready in ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);

  const rows: ReportRow[] = [];
  for (const m of models) {
    const manifest = readManifest(m.dir);
    const heads = await loadHeadsFromDir(m.dir, manifest.heads.modelJson);
    const caches: CacheSet = openCacheSet(manifest.heads.featureLayout, CROP_MARGIN);
    const preds = predictCached(heads, manifest.heads, keys, caches, manifest.preprocessing.flipTta);
    const utk = manifest.backbones.some((b) => b.trainedOnUtkFace) ? ' †' : '';
    rows.push({ name: `${m.name}${utk}`, report: evaluate(test, preds) });
    heads.dispose();
  }
  // face-api's own age/gender net, on the very same (plain) crops.
  const anchorCache = openCache('faceapi-agegender', { cropMargin: CROP_MARGIN, flip: false });
  const anchor: Prediction[] = keys.map((k) => {
    const age = Math.max(0, anchorCache.row(k, 'age')[0]);
    return { age, pFemale: 1 - anchorCache.row(k, 'male')[0], bin: ageToBin(Math.min(age, 120)) };
  });
  rows.push({ name: 'face-api age/gender net †', report: evaluate(test, anchor) });
  rows.push({ name: 'paper (Haar + CNN, own split)', report: null, fixed: { ageMae: 6.7, genderAccuracy: 0.89, note: 'paper' } });

  console.log(overallTable(rows));
  console.log('\n† trained with UTKFace among its data (face-api age/gender net; r0 uses its features): optimistic on UTKFace.');
  console.log('  Per-group cells: age MAE / gender accuracy / age-bin accuracy ±1.\n');
  for (const g of ['byAgeBand', 'byGender', 'byRace'] as const) console.log(`${groupTable(rows, g)}\n`);

  if (!args.includes('--no-pipeline-check') && models.length) {
    // The shipped model through the full pixel pipeline (as the browser runs it) vs the cached-feature path.
    const sample = test.slice(0, Math.min(32, test.length));
    const model = await loadAgeGenderModelNode(models[0].dir);
    const images = await Promise.all(sample.map((r) => decodeImage(r.file)));
    const faces = images.map((image) => ({ image, box: wholeImageBox(image) }));
    predictFaces(model, faces.slice(0, 1)); // warm-up
    const tp = performance.now();
    const full = predictFaces(model, faces);
    const ms = (performance.now() - tp) / sample.length;
    const caches = openCacheSet(model.manifest.heads.featureLayout, CROP_MARGIN);
    const cached = predictCached(model.heads, model.manifest.heads, sample.map((r) => r.key), caches, model.manifest.preprocessing.flipTta);
    const dAge = Math.max(...full.map((p, i) => Math.abs(p.age - cached[i].age)));
    const dP = Math.max(...full.map((p, i) => Math.abs(p.pFemale - cached[i].pFemale)));
    console.log(`pipeline check (${sample.length} faces, pixels → prediction): max |Δage| ${dAge.toExponential(2)}, max |ΔpFemale| ${dP.toExponential(2)}, ${ms.toFixed(0)} ms/face (wasm, Node)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
