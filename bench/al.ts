/**
 * `npm run bench:al` — active learning with UTKFace as the oracle: Facet's queue policy against
 * random sampling (and optional candidate policies), in the same run, from the same seed set.
 *
 *   npm run bench:al -- [--quick] [--seed 1] [--repeats 3] [--rounds 10] [--k 200] [--seed-size 200]
 *                       [--policies random,design-facet] [--variants] [--pool N] [--steps 300] [--warm]
 *                       [--features r0] [--pca 256] [--eval test|val]
 *   npm run bench:al -- --merge bench/out/a/al.json,bench/out/b/al.json   # one report over separate runs (e.g. seeds run in parallel)
 *
 * Pool = the UTKFace train split (Facet's seeded 80/10/10 split); evaluation = the test split
 * (never trained on or selected with). Features come from the trainer's cache (.cache/features;
 * missing ones are extracted first, slowly). Prints each round's labels, MAE and gender accuracy
 * per policy, then the label savings: how many labels each policy needed to reach random
 * sampling's final MAE (interpolated between rounds), as a share saved. Writes bench/out/al.svg
 * and bench/out/al.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initWasmBackend } from '../lib/ml/backbones.node';
import { seededRng } from '../lib/domain/queue-policy';
import { loadUtkFaceOrExit } from '../workers/trainer/utkface';
import { asciiChart, curvesSvg, type Series } from './al/chart';
import { type Curve, labelSavings, meanCurve, savingsByBudget, spread } from './al/curves';
import { ensureFeatures, FEATURE_SETS, type FeatureSetId, loadTable, openFeatureCaches, withCachedFeatures } from './al/data';
import { DEFAULT_LEARNER, type LearnerOptions } from './al/learner';
import { POLICIES } from './al/policies';
import { type RoundLog, shuffled, simulate } from './al/simulate';

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    repeats: { type: 'string' },
    rounds: { type: 'string' },
    k: { type: 'string' },
    'seed-size': { type: 'string' },
    policies: { type: 'string' },
    variants: { type: 'boolean', default: false },
    pool: { type: 'string' },
    steps: { type: 'string' },
    warm: { type: 'boolean', default: false },
    fits: { type: 'string' },
    features: { type: 'string', default: 'r0' },
    pca: { type: 'string' },
    eval: { type: 'string', default: 'test' },
    out: { type: 'string', default: path.join('bench', 'out') },
    merge: { type: 'string' },
  },
});

const quick = opt.quick;
const num = (v: string | undefined, def: number) => (v === undefined ? def : Number(v));
const cfg = {
  seed: num(opt.seed, 1),
  repeats: num(opt.repeats, quick ? 1 : 2),
  rounds: num(opt.rounds, quick ? 5 : 10),
  k: num(opt.k, quick ? 100 : 200),
  seedSize: num(opt['seed-size'], 200),
  pool: num(opt.pool, quick ? 6000 : 0),
  steps: num(opt.steps, quick ? 200 : DEFAULT_LEARNER.steps),
  fits: num(opt.fits, 1),
  pca: num(opt.pca, 256),
  features: opt.features as FeatureSetId,
};
const policyIds = (opt.policies ?? (opt.variants ? Object.keys(POLICIES).join(',') : 'random,design-facet')).split(',');
const log = (m: string) => console.log(m);
const pct = (v: number | null) => (v === null ? 'not reached' : `${(100 * v).toFixed(1)}%`);

function merge(files: string[]) {
  const parts = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Meta & { curves: Record<string, Curve[]>; log: RoundLog[] });
  // The policies every run compared (a run may have had more: e.g. a candidate dropped after some seeds).
  const ids = Object.keys(parts[0].curves).filter((id) => parts.every((p) => id in p.curves));
  if (ids[0] !== 'random') throw new Error('--merge: every run needs the random baseline');
  const dropped = [...new Set(parts.flatMap((p) => Object.keys(p.curves)))].filter((id) => !ids.includes(id));
  if (dropped.length) log(`--merge: ${dropped.join(', ')} not in every run; left out`);
  const runs = Object.fromEntries(ids.map((id) => [id, parts.flatMap((p) => p.curves[id])]));
  const configs = parts.map((p) => p.config);
  log(`Merged ${files.length} runs: ${configs.map((c) => `seed ${c.seed} ×${c.repeats}`).join(', ')}`);
  report(runs, ids, parts.flatMap((p) => p.log).filter((e) => ids.includes(e.policy)), {
    config: { merged: configs },
    subtitle: `${(parts[0].subtitle ?? '').replace(/; \d+ repeat\(s\)/, '')}; ${runs[ids[0]].length} repeats (merged)`,
    wallSeconds: parts.reduce((s, p) => s + p.wallSeconds, 0),
    cpuSeconds: parts.reduce((s, p) => s + p.cpuSeconds, 0),
  });
}

async function main() {
  if (opt.merge) return merge(opt.merge.split(','));
  for (const id of policyIds) if (!POLICIES[id]) throw new Error(`unknown policy ${id} (known: ${Object.keys(POLICIES).join(', ')})`);
  if (policyIds[0] !== 'random') throw new Error('--policies must start with random (the baseline)');
  if (!(cfg.features in FEATURE_SETS)) throw new Error(`unknown --features ${cfg.features}`);
  if (opt.eval !== 'test' && opt.eval !== 'val') throw new Error('--eval is test or val');
  let records = loadUtkFaceOrExit('bench:al');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await initWasmBackend();
  let caches = openFeatureCaches(cfg.features);
  if (withCachedFeatures(records, caches, cfg.features).length < records.length) {
    log(`features missing from .cache/features: extracting (${cfg.features}; slow on two cores)`);
    await ensureFeatures(records, cfg.features, log);
    caches = openFeatureCaches(cfg.features);
  }
  records = withCachedFeatures(records, caches, cfg.features);
  const table = await loadTable(records, cfg.features, cfg.pca, caches, log);
  let pool = records.filter((r) => r.split === 'train');
  if (cfg.pool > 0 && cfg.pool < pool.length) {
    pool = shuffled(pool, seededRng(cfg.seed + 99)).slice(0, cfg.pool);
  }
  const evalName = opt.eval as 'test' | 'val';
  const evalSet = records.filter((r) => r.split === evalName);
  const val = records.filter((r) => r.split === (evalName === 'test' ? 'val' : 'test')).slice(0, 500);
  const learner: LearnerOptions = { ...DEFAULT_LEARNER, steps: cfg.steps, warmStart: opt.warm };
  const policies = policyIds.map((id) => POLICIES[id]);

  log(`Active learning on UTKFace (oracle: the labels in the file names)`);
  log(`  pool: ${pool.length} faces of the train split${cfg.pool ? ' (seeded subsample)' : ''}; evaluation: the ${evalName} split (${evalSet.length} faces, never trained on)`);
  log(`  features: ${cfg.features} (${FEATURE_SETS[cfg.features].refs.length} backbone outputs) → ${table.dims}-d${cfg.pca ? ' (PCA, fitted without labels)' : ''}`);
  log(`  learner: Facet's heads (dense+BN+ReLU+dropout trunk, gender sigmoid, 24-bin age softmax + regression), ` +
    `${cfg.steps ? `${cfg.steps} Adam steps per round (batch ${learner.train?.batchSize}, no early stopping)` : 'early stopping on 500 faces of the other held-out split'}, ${opt.warm ? 'warm-started each round' : 'retrained from scratch each round'}${cfg.fits > 1 ? `, mean of ${cfg.fits} fits (seeds) per round` : ''}`);
  log(`  schedule: seed ${cfg.seedSize} random faces, then ${cfg.rounds} rounds of ${cfg.k}; ${cfg.repeats} repeat(s) from seed ${cfg.seed}`);
  log(`  policies: ${policies.map((p) => `\n    ${p.id}: ${p.label}`).join('')}`);

  const runs: Record<string, Curve[]> = Object.fromEntries(policyIds.map((id) => [id, []]));
  const allLog: RoundLog[] = [];
  for (let rep = 0; rep < cfg.repeats; rep++) {
    const seed = cfg.seed + rep;
    log(`\nrepeat ${rep + 1}/${cfg.repeats} (seed ${seed})`);
    const r = await simulate(table, pool, val, evalSet, policies, { seed, seedSize: cfg.seedSize, rounds: cfg.rounds, k: cfg.k, learner, fits: cfg.fits }, (e) => {
      if (e.round === 0 && e.policy !== policyIds[0]) return;
      log(`  ${e.policy.padEnd(14)} round ${String(e.round).padStart(2)}  labels ${String(e.labels).padStart(5)}  MAE ${e.mae.toFixed(2)}  gender ${(100 * e.genderAccuracy).toFixed(1)}%  (fit ${(e.fitMs / 1000).toFixed(1)} s, ${e.epochs} epochs; select+score ${(e.selectMs / 1000).toFixed(1)} s)`);
    });
    for (const id of policyIds) runs[id].push(r.curves[id]);
    allLog.push(...r.log.map((e) => ({ ...e, seed }) as RoundLog));
  }

  const cpu = process.cpuUsage(cpu0);
  report(runs, policyIds, allLog, {
    config: { ...cfg, policies: policyIds, warm: opt.warm, eval: evalName },
    subtitle: `UTKFace pool ${pool.length}, eval ${evalName} ${evalSet.length}; seed ${cfg.seedSize} + ${cfg.rounds}×${cfg.k}; ${cfg.repeats} repeat(s); ${cfg.features}→${table.dims}-d; ${cfg.steps} steps/round${cfg.fits > 1 ? ` × ${cfg.fits} fits` : ''}`,
    wallSeconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  });
}

type Meta = { config: Record<string, unknown>; subtitle: string; wallSeconds: number; cpuSeconds: number };

function report(runs: Record<string, Curve[]>, policyIds: string[], allLog: RoundLog[], meta: Meta) {
  const repeats = runs[policyIds[0]].length;
  const series: Series[] = policyIds.map((id) => ({ id, mean: meanCurve(runs[id]), runs: runs[id] }));
  const base = series[0].mean;
  log(`\nPer round (mean over ${repeats} repeat${repeats > 1 ? 's' : ''}${repeats > 1 ? '; ± = sd' : ''}): MAE in years / gender accuracy`);
  log(`  labels  ${series.map((s) => s.id.padStart(22)).join('')}`);
  base.forEach((p, i) => {
    const cells = series.map((s) => {
      const sd = spread(s.runs.map((r) => r[i].mae)).sd;
      return `${s.mean[i].mae.toFixed(2)}${repeats > 1 ? `±${sd.toFixed(2)}` : ''} / ${(100 * s.mean[i].genderAccuracy).toFixed(1)}%`.padStart(22);
    });
    log(`  ${String(p.labels).padStart(6)}  ${cells.join('')}`);
  });

  log(`\nLabel savings against random sampling (labels to reach random's final MAE ${base[base.length - 1].mae.toFixed(2)} at ${base[base.length - 1].labels} labels)`);
  const summary: Record<string, unknown> = {};
  for (const s of series.slice(1)) {
    const onMean = labelSavings(s.mean, base);
    const perRun = s.runs.map((run, i) => labelSavings(run, runs.random[i]).savings);
    const reached = perRun.filter((v): v is number => v !== null);
    const sp = spread(reached);
    const verdict = onMean.savings !== null && onMean.savings >= 0.25 ? 'meets the ≥25% goal' : 'short of the ≥25% goal';
    log(`  ${s.id.padEnd(14)} ${onMean.labels === null ? 'never reached it within the run' : `${onMean.labels.toFixed(0)} labels → savings ${pct(onMean.savings)}`} (${verdict})` +
      (repeats > 1 ? `; per repeat: ${perRun.map(pct).join(', ')}${reached.length > 1 ? ` (mean ${pct(sp.mean)}, sd ${(100 * sp.sd).toFixed(1)} pts)` : ''}` : '') +
      `; final MAE ${s.mean[s.mean.length - 1].mae.toFixed(2)} vs ${base[base.length - 1].mae.toFixed(2)}, gender ${(100 * s.mean[s.mean.length - 1].genderAccuracy).toFixed(1)}% vs ${(100 * base[base.length - 1].genderAccuracy).toFixed(1)}%`);
    const acc = labelSavings(s.mean, base, 'genderAccuracy');
    const accRuns = s.runs.map((run, i) => labelSavings(run, runs.random[i], 'genderAccuracy').savings);
    log(`  ${''.padEnd(14)} gender: random's final ${(100 * acc.target).toFixed(1)}% ${acc.labels === null ? 'never reached within the run' : `reached at ${acc.labels.toFixed(0)} labels → savings ${pct(acc.savings)}`}` +
      (repeats > 1 ? `; per repeat: ${accRuns.map(pct).join(', ')}` : ''));
    const byBudget = savingsByBudget(s.mean, base);
    const byBudgetRuns = s.runs.map((run, i) => savingsByBudget(run, runs.random[i]));
    const bs = spread(byBudgetRuns.map((b) => b.mean));
    log(`  ${''.padEnd(14)} every budget: labels to reach random's MAE at each of its ${byBudget.budgets.length} rounds, mean saving ${pct(byBudget.mean)}` +
      `${byBudget.unreached ? ` (${byBudget.unreached} budget(s) not reached, counted as reached at the last round)` : ''} [${byBudget.budgets.map((b) => `${b.labels}: ${(100 * b.savings).toFixed(0)}%${b.reached ? '' : '*'}`).join(', ')}]` +
      (repeats > 1 ? `; per repeat: ${byBudgetRuns.map((b) => pct(b.mean)).join(', ')} (mean ${pct(bs.mean)}, sd ${(100 * bs.sd).toFixed(1)} pts; ≥ 25% in ${byBudgetRuns.filter((b) => b.mean >= 0.25).length}/${repeats})` : ''));
    summary[s.id] = { onMean, perRun, byBudget: { onMean: byBudget, perRun: byBudgetRuns.map((b) => b.mean) }, gender: { onMean: acc, perRun: accRuns } };
  }

  log(`\n${asciiChart(series)}`);
  if (allLog.some((e) => e.picked)) log(`\nWho each policy asked to label (mean over rounds and repeats): mean age, share under 10, share 60+`);
  for (const id of policyIds) {
    const picks = allLog.filter((e) => e.policy === id && e.picked).map((e) => e.picked!);
    if (picks.length === 0) continue;
    const avg = (f: (p: NonNullable<RoundLog['picked']>) => number) => picks.reduce((s, p) => s + f(p), 0) / picks.length;
    log(`  ${id.padEnd(14)} ${avg((p) => p.meanAge).toFixed(1)} y, ${(100 * avg((p) => p.under10)).toFixed(0)}% < 10, ${(100 * avg((p) => p.over60)).toFixed(0)}% 60+`);
  }
  mkdirSync(opt.out!, { recursive: true });
  writeFileSync(path.join(opt.out!, 'al.svg'), curvesSvg(series, meta.subtitle));
  writeFileSync(path.join(opt.out!, 'al.json'), JSON.stringify({ ...meta, curves: runs, summary, log: allLog }, null, 2));
  log(`\nwrote ${path.join(opt.out!, 'al.svg')} and al.json; wall ${meta.wallSeconds.toFixed(0)} s, CPU ${meta.cpuSeconds.toFixed(0)} s (wall includes waiting for a shared CPU)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
