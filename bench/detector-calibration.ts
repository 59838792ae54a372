/**
 * Measures how the face detector frames UTKFace faces versus the aligned chips the age/gender heads
 * were trained on, fits BOX_CALIBRATION on val-split chips, and reports accuracy on test-split chips
 * for three crops: the ground-truth chip, the raw detector box, the calibrated box.
 * Each 200×200 chip is pasted at (P, P) into a grey (2P+200)² "photo" (600², face = a third of the side). Needs ../shared/data/utkface.
 * Usage: npx tsx bench/detector-calibration.ts [--n 300] [--input-size 608]  (the detector pass's long side: 320 = face-scan's coarse pass)
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { splitOf } from '../lib/domain/split';
import { parseUtkName } from '../lib/domain/utkface-name';
import { loadDetectorNode } from '../lib/ml/detector.node';
import { decodeImageSized } from '../lib/ml/image.node';
import { loadAgeGenderModelNode } from '../lib/ml/model.node';
import { BOX_CALIBRATION, type Calibration, calibrateBox } from '../lib/ml/pipeline';
import { predictFaces } from '../lib/ml/predict';
import type { FaceBox, PixelImage } from '../lib/ml/preprocess';

const UTK = path.resolve('../shared/data/utkface');
const P = 200;
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main() {
  if (!existsSync(UTK)) return console.log(`skipped: ${UTK} not found`);
  const n = arg('--n', 300);
  const inputSize = arg('--input-size', 608);
  const detector = await loadDetectorNode();
  const model = await loadAgeGenderModelNode(path.resolve('public/models/agegender/r0'));
  const names = readdirSync(UTK).filter((f) => f.endsWith('.jpg')).sort();
  const pick = (split: string) => names.filter((f) => splitOf(f) === split).filter((_, i) => i % 7 === 0).slice(0, n);
  const load = async (f: string) => {
    const buf = await sharp(path.join(UTK, f)).extend({ top: P, bottom: P, left: P, right: P, background: '#808080' }).png().toBuffer();
    return (await decodeImageSized(buf)).image;
  };
  const chip: FaceBox = { x: P, y: P, width: 200, height: 200 };

  // Fit on val.
  const fit: number[][] = [];
  for (const f of pick('val')) {
    const [d] = await detector.detect(await load(f), { inputSize });
    if (!d) continue;
    const { x, y, width: w, height: h } = d.box;
    fit.push([(P + 100 - (x + w / 2)) / w, (P + 100 - (y + h / 2)) / h, 200 / Math.sqrt(w * h), w / h]);
  }
  const cal: Calibration = { dx: median(fit.map((r) => r[0])), dy: median(fit.map((r) => r[1])), side: median(fit.map((r) => r[2])) };
  console.log(`val: ${fit.length} chips with a detection; fitted`, JSON.stringify(cal), 'median w/h', median(fit.map((r) => r[3])).toFixed(3));
  console.log('in use (pipeline.ts BOX_CALIBRATION):', JSON.stringify(BOX_CALIBRATION));

  // Evaluate on test.
  const rows: { age: number; male: boolean; crops: FaceBox[] }[] = [];
  const images: PixelImage[] = [];
  let missed = 0;
  for (const f of pick('test')) {
    const parsed = parseUtkName(f);
    if (!parsed.ok || (parsed.value.gender !== 'MALE' && parsed.value.gender !== 'FEMALE')) continue;
    const img = await load(f);
    const [d] = await detector.detect(img, { inputSize });
    if (!d) {
      missed++;
      continue;
    }
    const raw = calibrateBox(d.box, { dx: 0, dy: 0, side: 1 });
    rows.push({ age: parsed.value.age, male: parsed.value.gender === 'MALE', crops: [chip, raw, calibrateBox(d.box, cal), calibrateBox(d.box)] });
    images.push(img);
  }
  console.log(`test: ${rows.length} detected, ${missed} missed`);
  ['ground-truth chip', 'raw detector box (square √wh)', 'calibrated (fitted now)', 'calibrated (BOX_CALIBRATION)'].forEach((label, k) => {
    const preds = predictFaces(model, rows.map((r, i) => ({ image: images[i], box: r.crops[k] })));
    const mae = preds.reduce((s, p, i) => s + Math.abs(p.age - rows[i].age), 0) / rows.length;
    const acc = preds.filter((p, i) => (p.gender === 'MALE') === rows[i].male).length / rows.length;
    console.log(`${label.padEnd(32)} MAE ${mae.toFixed(2)}  gender ${(acc * 100).toFixed(1)}%`);
  });
}
main();
