/**
 * How much of a learning curve's round-to-round wobble is the learner's own: the same labeled set
 * (the first `labels` faces of seed `seed`'s random order of the pool) fitted with different model
 * seeds, test MAE and gender accuracy of each fit.
 *
 *   npx tsx bench/al/fit-noise.ts [--seed 5] [--labels 2200] [--fits 4]
 */
import { parseArgs } from 'node:util';
import { initWasmBackend } from '../../lib/ml/backbones.node';
import { loadUtkFaceOrExit } from '../../workers/trainer/utkface';
import { spread } from './curves';
import { loadTable, openFeatureCaches, withCachedFeatures } from './data';
import { DEFAULT_LEARNER, HeadsLearner } from './learner';
import { poolOrder } from './simulate';

const { values: opt } = parseArgs({ options: { seed: { type: 'string', default: '5' }, labels: { type: 'string', default: '2200' }, fits: { type: 'string', default: '4' } } });

async function main() {
  await initWasmBackend();
  const caches = openFeatureCaches('r0');
  const records = withCachedFeatures(loadUtkFaceOrExit('bench:al fit-noise'), caches, 'r0');
  const table = await loadTable(records, 'r0', 256, caches);
  const pool = records.filter((r) => r.split === 'train');
  const test = records.filter((r) => r.split === 'test');
  const val = records.filter((r) => r.split === 'val').slice(0, 500);
  const seed = Number(opt.seed);
  const labeled = poolOrder(pool, seed).slice(0, Number(opt.labels)); // simulate.ts's order: its seed set first
  const maes: number[] = [];
  const accs: number[] = [];
  for (let f = 0; f < Number(opt.fits); f++) {
    const learner = new HeadsLearner(table, val, DEFAULT_LEARNER, 1000 + f);
    await learner.fit(labeled);
    const m = learner.evaluate(test);
    learner.dispose();
    maes.push(m.ageMae);
    accs.push(m.genderAccuracy ?? NaN);
    console.log(`fit ${f + 1}: MAE ${m.ageMae.toFixed(3)}  gender ${(100 * (m.genderAccuracy ?? NaN)).toFixed(1)}%`);
  }
  const s = spread(maes);
  console.log(`${labeled.length} labels, ${maes.length} fits: MAE mean ${s.mean.toFixed(3)} sd ${s.sd.toFixed(3)} (range ${s.min.toFixed(2)}–${s.max.toFixed(2)}); gender sd ${(100 * spread(accs).sd).toFixed(2)} pts`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
