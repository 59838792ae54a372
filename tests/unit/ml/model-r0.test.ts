/**
 * The committed round-0 model (public/models/agegender/r0) with its backbones from node_modules,
 * on real faces in tests/fixtures/faces (UTKFace test-split crops; labels in the file names).
 * Needs no ../shared. Runs the same pixel → prediction pipeline as the browser (wasm backend).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUtkName } from '../../../lib/domain/utkface-name';
import { decodeImage } from '../../../lib/ml/image.node';
import { loadAgeGenderModelNode } from '../../../lib/ml/model.node';
import { type AgeGenderModel, type FacePrediction, isUncertain, predictFaces, predictFacesAsync } from '../../../lib/ml/predict';
import { wholeImageBox } from '../../../lib/ml/preprocess';

const FIXTURES = path.resolve(__dirname, '../../fixtures/faces');
const MODEL_DIR = path.resolve(__dirname, '../../../public/models/agegender/r0');

type Face = { name: string; age: number; gender: string; pred: FacePrediction };
let model: AgeGenderModel;
let faces: Face[];
let crops: { image: Awaited<ReturnType<typeof decodeImage>>; box: ReturnType<typeof wholeImageBox> }[];

beforeAll(async () => {
  model = await loadAgeGenderModelNode(MODEL_DIR);
  expect(tf.getBackend()).toBe('wasm');
  const names = readdirSync(FIXTURES).filter((f) => f.endsWith('.jpg')).sort();
  const images = await Promise.all(names.map((n) => decodeImage(path.join(FIXTURES, n))));
  crops = images.map((image) => ({ image, box: wholeImageBox(image) }));
  const preds = predictFaces(model, crops);
  faces = names.map((name, i) => {
    const parsed = parseUtkName(name);
    if (!parsed.ok) throw new Error(name);
    return { name, age: parsed.value.age, gender: parsed.value.gender, pred: preds[i] };
  });
}, 120_000);

// Runs once the round-0 weights are committed (scripts/train-round0.ts writes public/models/agegender/r0).
describe.skipIf(!existsSync(path.resolve('public/models/agegender/r0/manifest.json')))('round-0 age/gender model on real faces', () => {
  it('loads the manifest, backbones and heads', () => {
    expect(model.manifest.version).toBe('r0');
    expect(model.backbones.size).toBe(model.manifest.backbones.length);
    expect(faces.length).toBeGreaterThanOrEqual(5);
  });

  it('gives well-formed predictions', () => {
    for (const { pred } of faces) {
      expect(pred.age).toBeGreaterThanOrEqual(0);
      expect(pred.age).toBeLessThan(120);
      expect(pred.pFemale).toBeGreaterThanOrEqual(0);
      expect(pred.pFemale).toBeLessThanOrEqual(1);
      expect(pred.ageBins.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 4);
    }
  });

  it('sees babies as babies and older adults as older', () => {
    for (const f of faces.filter((x) => x.age <= 2)) expect(f.pred.age, f.name).toBeLessThan(10);
    for (const f of faces.filter((x) => x.age >= 50)) expect(f.pred.age, f.name).toBeGreaterThan(35);
    for (const f of faces.filter((x) => x.age >= 18 && x.age < 50)) {
      expect(f.pred.age, f.name).toBeGreaterThan(15);
      expect(f.pred.age, f.name).toBeLessThan(60);
    }
  });

  it('gets the gender of the adult faces right', () => {
    for (const f of faces.filter((x) => x.age >= 18)) expect(f.pred.gender, f.name).toBe(f.gender);
  });

  it('is close on average (MAE over the fixtures < 8 years)', () => {
    const mae = faces.reduce((s, f) => s + Math.abs(f.pred.age - f.age), 0) / faces.length;
    expect(mae).toBeLessThan(8);
  });

  it('is deterministic', () => {
    const image = { data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64, channels: 3 as const };
    const a = predictFaces(model, [{ image, box: wholeImageBox(image) }])[0];
    const b = predictFaces(model, [{ image, box: wholeImageBox(image) }])[0];
    expect(b.age).toBe(a.age);
    expect(b.pFemale).toBe(a.pFemale);
  });

  it('mirror modes: all = the sync path; uncertain = all on uncertain faces and plain on the rest', async () => {
    const all = await predictFacesAsync(model, crops, 'all');
    const none = await predictFacesAsync(model, crops, 'none');
    const some = await predictFacesAsync(model, crops, 'uncertain');
    all.forEach((p, i) => expect(p.age).toBeCloseTo(faces[i].pred.age, 3));
    // The fixtures' left halves (faces cut in two) give the uncertain branch something to do.
    const halves = crops.map((c) => ({ image: c.image, box: { ...c.box, width: c.box.width / 2 } }));
    const mixed = [...crops, ...halves];
    const [mAll, mNone, mSome] = await Promise.all((['all', 'none', 'uncertain'] as const).map((m) => predictFacesAsync(model, mixed, m)));
    const uncertain = mNone.filter(isUncertain).length;
    expect(uncertain).toBeGreaterThan(0);
    expect(uncertain).toBeLessThan(mixed.length);
    mSome.forEach((p, i) => expect(p.age).toBeCloseTo((isUncertain(mNone[i]) ? mAll[i] : mNone[i]).age, 4));
    some.forEach((p, i) => {
      const expected = isUncertain(none[i]) ? all[i] : none[i];
      expect(p.age).toBeCloseTo(expected.age, 4);
      expect(p.pFemale).toBeCloseTo(expected.pFemale, 5);
    });
    expect(none.some((p, i) => Math.abs(p.age - all[i].age) > 0.01)).toBe(true); // mirroring changes something
  });
});
