/**
 * bench:prelabel-profile — Node/wasm micro-profile of the pre-label stages (same tfjs wasm build as
 * the browser worker, SIMD, no threads): each backbone at batch 1..8, the detector's coarse pass,
 * the JS crop/resample, the heads. Usage: npx tsx bench/prelabel-profile.ts [--reps 10]
 */
import * as tf from '@tensorflow/tfjs';
import { loadDetectorNode } from '../lib/ml/detector.node';
import { loadAgeGenderModelNode } from '../lib/ml/model.node';
import { preprocessFace } from '../lib/ml/preprocess';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] || 10);

async function time(label: string, fn: () => Promise<unknown> | unknown, per = 1) {
  await fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  const ms = (performance.now() - t0) / reps;
  console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms${per > 1 ? `  (${(ms / per).toFixed(1)} ms each)` : ''}`);
  return ms;
}

async function main() {
  const model = await loadAgeGenderModelNode('public/models/agegender/r0');
  const detector = await loadDetectorNode();
  console.log(`backend ${tf.getBackend()}`);
  const image = { data: new Uint8ClampedArray(640 * 480 * 4).map((_, i) => (i * 7919) % 251), width: 640, height: 480, channels: 4 as const };
  const box = { x: 200, y: 100, width: 200, height: 200 };
  for (const ref of model.manifest.backbones) {
    const bb = model.backbones.get(ref.id)!;
    const s = ref.input.size;
    const spec = { ...ref.input, inputSize: s, cropMargin: 0 };
    await time(`crop+resample ${ref.id} ${s}px (JS)`, () => preprocessFace(image, box, spec));
    for (const n of [1, 2, 4, 8]) {
      const x = tf.randomNormal([n, s, s, 3]) as tf.Tensor4D;
      await time(`${ref.id} ${s}px batch ${n}`, async () => {
        const o = bb.run(x);
        await Promise.all(Object.values(o).map((t) => t.data()));
        Object.values(o).forEach((t) => t.dispose());
      }, n);
      x.dispose();
    }
  }
  await time('detector coarse 320×240 (incl. JS input)', () => detector.detect(image, { inputSize: 320 }));
  await time('detector fine 608×456 (incl. JS input)', () => detector.detect(image, { inputSize: 608 }));
  const dims = model.manifest.heads.inputDims;
  await time('heads batch 2', async () => {
    const y = model.heads.predict(tf.zeros([2, dims])) as tf.Tensor | tf.Tensor[];
    for (const t of Array.isArray(y) ? y : [y]) { await t.data(); t.dispose(); }
  });
}

main().catch((e) => { console.error(e); process.exit(1); });
