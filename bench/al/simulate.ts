/**
 * The active-learning simulation with UTKFace as the oracle: every policy starts from the same
 * seeded labeled seed, then for `rounds` rounds the current model scores the unlabeled pool, the
 * policy picks `k` faces, the oracle "labels" them (the file-name labels), and the heads are
 * retrained; after each fit the model is scored on the evaluation split.
 */
import type { FacePrediction } from '../../lib/domain/al-policy';
import { type RecentFace, type Rng, seededRng } from '../../lib/domain/queue-policy';
import type { Curve } from './curves';
import type { FeatureTable } from './data';
import { makeLearner } from './ensemble';
import type { Labeled, LearnerOptions } from './learner';
import type { Policy } from './policies';

export type SimulationConfig = {
  seed: number;
  seedSize: number;
  rounds: number;
  k: number;
  learner: LearnerOptions;
  /** Fits per round whose mean predictions are scored and used (default 1). */
  fits?: number;
};

/** `items` in a random order drawn from `rng` (one draw per item, in order). */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  return items.map((r) => ({ r, u: rng() })).sort((a, b) => a.u - b.u).map((x) => x.r);
}

/** The pool in seed `seed`'s order: its first faces are the seed set every policy starts from. */
export const poolOrder = <T>(pool: readonly T[], seed: number): T[] => shuffled(pool, seededRng(seed * 7919 + 1));

/** Who a round's picks were: mean age and the shares of children (< 10) and people 60+. */
export type PickedProfile = { meanAge: number; under10: number; over60: number };

export type RoundLog = { policy: string; round: number; labels: number; mae: number; genderAccuracy: number; fitMs: number; selectMs: number; epochs: number; picked?: PickedProfile };

export function pickedProfile(faces: readonly Labeled[]): PickedProfile {
  const n = faces.length || 1;
  return {
    meanAge: faces.reduce((s, f) => s + f.age, 0) / n,
    under10: faces.filter((f) => f.age < 10).length / n,
    over60: faces.filter((f) => f.age >= 60).length / n,
  };
}

export type SimulationResult = { curves: Record<string, Curve>; ms: Record<string, number>; log: RoundLog[] };

function toPrediction(p: { pFemale: number; ageBins: number[]; age: number }): FacePrediction {
  return { pFemale: p.pFemale, ageBins: p.ageBins, age: p.age };
}

/** One repeat: all `policies` from the same seed set, each with its own model and random stream. */
export async function simulate(
  table: FeatureTable,
  pool: Labeled[],
  val: Labeled[],
  evalSet: Labeled[],
  policies: Policy[],
  cfg: SimulationConfig,
  onRound: (r: RoundLog) => void = () => {},
): Promise<SimulationResult> {
  const seedSet = poolOrder(pool, cfg.seed).slice(0, cfg.seedSize);
  const byKey = new Map(pool.map((r) => [r.key, r]));
  const poolKeys = pool.map((r) => r.key);

  // Round 0 is the same for every policy: fit once, score the pool once.
  const t0 = performance.now();
  const first = makeLearner(table, val, { ...cfg.learner, warmStart: false }, cfg.seed, cfg.fits);
  await first.fit(seedSet);
  const seedMetrics = first.evaluate(evalSet);
  const seedKeys = new Set(seedSet.map((r) => r.key));
  const seedUnlabeled = pool.filter((r) => !seedKeys.has(r.key)).map((r) => r.key);
  const seedPreds = first.predict(seedUnlabeled).map(toPrediction);
  const seedWeights = first.weights();
  const seedMs = performance.now() - t0;
  first.dispose();

  const curves: Record<string, Curve> = {};
  const ms: Record<string, number> = {};
  const log: RoundLog[] = [];
  for (const [pi, policy] of policies.entries()) {
    const start = performance.now();
    const point = { labels: seedSet.length, mae: seedMetrics.ageMae, genderAccuracy: seedMetrics.genderAccuracy ?? NaN };
    curves[policy.id] = [point];
    const r0: RoundLog = { policy: policy.id, round: 0, ...point, fitMs: seedMs, selectMs: 0, epochs: 0 };
    log.push(r0);
    onRound(r0);
    const learner = makeLearner(table, val, cfg.learner, cfg.seed, cfg.fits);
    if (cfg.learner.warmStart) learner.setWeights(seedWeights);
    const labeled = [...seedSet];
    const labeledKeys = new Set(seedKeys);
    const policyRng = seededRng(cfg.seed * 1000 + pi + 1);
    const recent: RecentFace[] = [];
    let unlabeled = seedUnlabeled;
    let preds = seedPreds;
    for (let round = 1; round <= cfg.rounds; round++) {
      const s0 = performance.now();
      const picked = policy.select({ unlabeled, preds, labeled: labeled.map((r) => r.key), labeledAges: labeled.map((r) => r.age), table, k: cfg.k, rng: policyRng, recent });
      if (new Set(picked).size !== picked.length || picked.some((key) => labeledKeys.has(key) || !byKey.has(key))) {
        throw new Error(`policy ${policy.id} picked a labeled, unknown or repeated face`);
      }
      for (const key of picked) {
        labeled.push(byKey.get(key)!);
        labeledKeys.add(key);
      }
      const selectMs = performance.now() - s0;
      const f0 = performance.now();
      await learner.fit(labeled, policy.weights?.({ table, pool: poolKeys, labeled: labeled.map((r) => r.key) }));
      const fitMs = performance.now() - f0;
      const m = learner.evaluate(evalSet);
      const p = { labels: labeled.length, mae: m.ageMae, genderAccuracy: m.genderAccuracy ?? NaN };
      curves[policy.id].push(p);
      const entry: RoundLog = { policy: policy.id, round, ...p, fitMs, selectMs, epochs: learner.lastEpochs, picked: pickedProfile(picked.map((key) => byKey.get(key)!)) };
      log.push(entry);
      onRound(entry);
      if (round < cfg.rounds) {
        const s1 = performance.now();
        unlabeled = unlabeled.filter((key) => !labeledKeys.has(key));
        preds = learner.predict(unlabeled).map(toPrediction);
        entry.selectMs += performance.now() - s1;
      }
    }
    learner.dispose();
    ms[policy.id] = performance.now() - start;
  }
  seedWeights.forEach((w) => w.dispose());
  return { curves, ms: { seed: seedMs, ...ms }, log };
}
