/**
 * Which backbones need the mirrored pass? On the UTKFace test split's cached features (the plain and
 * mirrored crops scripts/eval.ts extracts), r0's heads on: plain features; the mean of plain and
 * mirrored for every backbone (flipTta 'mean-features', as trained); or the mean for one backbone
 * with the other's plain features — and the same for only the faces predict.ts calls uncertain.
 * Usage: npx tsx bench/prelabel-mirror.ts [--model public/models/agegender/r0]
 */
import path from 'node:path';
import { initWasmBackend } from '../lib/ml/backbones.node';
import { loadHeadsFromDir, readManifest } from '../lib/ml/model.node';
import { type FacePrediction, isUncertain, predictFromFeatures } from '../lib/ml/predict';
import { cachedKeys, layoutDims, openCacheSet } from '../workers/trainer/dataset';
import { evaluate } from '../workers/trainer/metrics';
import { loadUtkFaceOrExit } from '../workers/trainer/utkface';

async function main() {
  const i = process.argv.indexOf('--model');
  const dir = path.resolve(i >= 0 ? process.argv[i + 1] : 'public/models/agegender/r0');
  await initWasmBackend();
  const manifest = readManifest(dir);
  const heads = await loadHeadsFromDir(dir, manifest.heads.modelJson);
  const layout = manifest.heads.featureLayout;
  const caches = openCacheSet(layout, manifest.preprocessing.cropMargin);
  const test = loadUtkFaceOrExit('prelabel-mirror').filter((r) => r.split === 'test');
  const keys = new Set(cachedKeys(test.map((r) => r.key), caches));
  const faces = test.filter((r) => keys.has(r.key));
  const dims = layoutDims(layout);
  /** Features with the mirrored mean for the backbones in `mirrored`, plain for the rest. */
  const features = (mirrored: Set<string>) => {
    const x = new Float32Array(faces.length * dims);
    faces.forEach((r, n) => {
      let o = n * dims;
      for (const f of layout) {
        const a = caches.plain.get(f.backbone)!.row(r.key, f.node);
        const b = caches.flip.get(f.backbone)!.row(r.key, f.node);
        for (let d = 0; d < f.dims; d++) x[o + d] = mirrored.has(f.backbone) ? (a[d] + b[d]) / 2 : a[d];
        o += f.dims;
      }
    });
    return predictFromFeatures(heads, manifest.heads, x, faces.length);
  };
  const ids = [...new Set(layout.map((f) => f.backbone))];
  const plain = features(new Set());
  const uncertain = plain.map(isUncertain);
  const show = (label: string, preds: FacePrediction[]) => {
    const r = evaluate(faces, preds);
    console.log(`${label.padEnd(48)} MAE ${r.overall.ageMae.toFixed(3)}  gender ${((r.overall.genderAccuracy ?? 0) * 100).toFixed(2)}%`);
  };
  console.log(`${path.basename(dir)} on ${faces.length} UTKFace test faces; ${uncertain.filter(Boolean).length} uncertain (${((100 * uncertain.filter(Boolean).length) / faces.length).toFixed(1)}%)`);
  show('plain (mirror none)', plain);
  for (const set of [ids, ...ids.map((id) => [id])]) {
    const mean = features(new Set(set));
    show(`mirror all, mean of ${set.join('+')}`, mean);
    show(`mirror uncertain, mean of ${set.join('+')}`, plain.map((p, n) => (uncertain[n] ? mean[n] : p)));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
