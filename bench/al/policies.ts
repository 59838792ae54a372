/**
 * Selection policies the active-learning bench compares. `design-facet` is the product's queue:
 * design picks (workers/jobs/design-queue.ts) until 1,000 labels, then `facet` — the uncertainty
 * score, diversity rule and 10% random slice, via lib/domain/al-policy.ts. `random` is the
 * baseline; the others are candidates measured in the same run.
 */
import { expectedAgeError, type FacePrediction, facetScore, mixedScore, queueBatch, queueCandidate, type ScoreFn } from '../../lib/domain/al-policy';
import { bandQuotas } from '../../lib/domain/band-quotas';
import { gram, pick } from '../../lib/domain/experimental-design';
import { DEFAULT_QUEUE_POLICY, type RecentFace, type Rng, seededRng } from '../../lib/domain/queue-policy';
import { DESIGN_DEFAULTS } from '../../workers/trainer/design-order';
import { committeeAges } from './committee';
import type { FeatureTable } from './data';
import { PoolDensity } from './density';
import { ClusterWeights } from './importance';
import { kCenterGreedy } from './diversity';

export type SelectContext = {
  /** Unlabeled pool keys and the current model's predictions for them (same order). */
  unlabeled: readonly string[];
  preds: readonly FacePrediction[];
  labeled: readonly string[];
  /** The labeled faces' ages (same order as `labeled`): what a committee trains on. */
  labeledAges: readonly number[];
  table: FeatureTable;
  k: number;
  rng: Rng;
  /** The simulated annotator's recent faces (most recent first), carried across rounds. */
  recent: RecentFace[];
};

/** What a policy's loss weights are computed from: the whole pool and its labeled part. */
export type WeightContext = { table: FeatureTable; pool: readonly string[]; labeled: readonly string[] };

/** `weights`, when given, are the labeled faces' weights in the heads' loss (same order as `labeled`). */
export type Policy = { id: string; label: string; select(ctx: SelectContext): string[]; weights?(ctx: WeightContext): Float32Array };

function shuffleTake<T>(items: readonly T[], k: number, rng: Rng): T[] {
  const a = [...items];
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

/** The product's queue, with the given score. */
function queuePolicy(id: string, label: string, score: ScoreFn): Policy {
  return {
    id,
    label,
    select: (ctx) => {
      const candidates = ctx.unlabeled.map((key, i) => queueCandidate(key, key, ctx.preds[i], score));
      return queueBatch(candidates, ctx.k, DEFAULT_QUEUE_POLICY, ctx.rng, ctx.recent).map((p) => p.id);
    },
  };
}

/**
 * Feature-space diversity on top of a score: of the `poolFactor`·k highest-scoring faces,
 * k-center greedy picks k that are far from each other and from the labeled faces; the random
 * slice is kept (a `randomShare` of k drawn uniformly from the whole pool).
 */
function diversePolicy(id: string, label: string, score: ScoreFn, poolFactor = 4, randomShare = DEFAULT_QUEUE_POLICY.randomShare): Policy {
  return {
    id,
    label,
    select: (ctx) => {
      const nRandom = Math.round(ctx.k * randomShare);
      const random = shuffleTake(ctx.unlabeled, nRandom, ctx.rng);
      const taken = new Set(random);
      const order = ctx.unlabeled.map((key, i) => ({ key, s: score(ctx.preds[i]).score })).filter((c) => !taken.has(c.key)).sort((a, b) => b.s - a.s);
      const top = order.slice(0, poolFactor * (ctx.k - nRandom)).map((c) => c.key);
      return [...random, ...kCenterGreedy(ctx.table, top, [...ctx.labeled, ...random], ctx.k - nRandom)];
    },
  };
}

type Stratified = {
  /** How the non-random picks are shared over predicted age bands: in proportion to the pool, or
   *  Neyman (pool size × the band's mean expected age error in years: where the MAE comes from). */
  allocation: 'pool' | 'neyman';
  /** Within a band: its most uncertain faces, or k-center feature diversity among its top 4·quota. */
  within: 'top' | 'kcenter';
};

/** `m` picks shared over the unlabeled faces' predicted age bands (lib/domain/band-quotas.ts), `taken` ones left out. */
function quotasOf(ctx: SelectContext, taken: ReadonlySet<string>, m: number, weight?: (i: number) => number) {
  return bandQuotas(ctx.preds.map((p) => p.age), m, weight, (i) => taken.has(ctx.unlabeled[i])).map(({ members, n }) => ({ faces: members, n }));
}

/**
 * Uncertainty within strata: the non-random picks are shared out over predicted age bands, and
 * each band gives its most uncertain faces (or a feature-diverse set of its most uncertain) — the
 * score still chooses faces, but can no longer spend most of a round on children (whose gender is
 * uncertain and whose age is cheap to get right).
 */
function stratifiedPolicy(id: string, label: string, score: ScoreFn | Scorer, how: Stratified = { allocation: 'pool', within: 'top' }, randomShare = DEFAULT_QUEUE_POLICY.randomShare): Policy {
  return {
    id,
    label,
    select: (ctx) => {
      const { random, taken } = randomSlice(ctx, randomShare);
      const scores = typeof score === 'function' ? ctx.preds.map((p) => score(p).score) : score.scores(ctx);
      // pool: count; neyman: count × mean expected age error
      const weight = how.allocation === 'neyman' ? (i: number) => expectedAgeError(ctx.preds[i]) : undefined;
      const picks: string[] = [];
      for (const q of quotasOf(ctx, taken, ctx.k - random.length, weight)) {
        const best = q.faces.sort((a, b) => scores[b] - scores[a]).map((i) => ctx.unlabeled[i]);
        if (how.within === 'top') picks.push(...best.slice(0, q.n));
        else picks.push(...kCenterGreedy(ctx.table, best.slice(0, 4 * q.n), [...ctx.labeled, ...random, ...picks], q.n));
      }
      return [...random, ...picks];
    },
  };
}

/** Scores for every unlabeled face of a round at once (for scores that need more than one face's prediction). */
export type Scorer = { scores: (ctx: SelectContext) => ArrayLike<number> };

const densities = new WeakMap<FeatureTable, PoolDensity>();
/** The pool's representativeness percentiles, computed once per feature table and pool (a fixed reference sample, so every policy and seed sees the same). */
function poolDensity(ctx: SelectContext): PoolDensity {
  let d = densities.get(ctx.table);
  const pool = [...ctx.labeled, ...ctx.unlabeled];
  if (!d || !d.covers(pool)) {
    d = new PoolDensity(ctx.table, pool, seededRng(20261129));
    densities.set(ctx.table, d);
  }
  return d;
}

/**
 * Committee disagreement (sd of bootstrap ridge ages, years) for the unlabeled faces, optionally
 * times the face's representativeness percentile (outliers → 0) and/or divided by the heads' own
 * expected age error plus `noiseFloor` years (an expected-error-reduction proxy: disagreement that
 * a label can resolve, rather than a face whose age is ambiguous whatever the model).
 */
export function committeeScorer(how: { density?: boolean; noise?: boolean; noiseFloor?: number } = {}): Scorer {
  return {
    scores: (ctx) => {
      const { sd } = committeeAges(ctx.table, ctx.labeled, ctx.labeledAges, ctx.unlabeled, ctx.rng);
      const density = how.density ? poolDensity(ctx) : null;
      return Array.from(sd, (v, i) => {
        let s = v;
        if (density) s *= density.of(ctx.unlabeled[i]);
        if (how.noise) s /= expectedAgeError(ctx.preds[i]) + (how.noiseFloor ?? 2);
        return s;
      });
    },
  };
}

/** A round's random slice (`randomShare` of k), and the set of faces taken so far. */
function randomSlice(ctx: SelectContext, randomShare: number) {
  const random = shuffleTake(ctx.unlabeled, Math.round(ctx.k * randomShare), ctx.rng);
  return { random, taken: new Set(random) };
}

/** The `n` highest-scoring unlabeled faces not yet taken. */
function topScored(ctx: SelectContext, scorer: Scorer, taken: ReadonlySet<string>, n: number): string[] {
  const s = scorer.scores(ctx);
  const order = ctx.unlabeled.map((key, i) => ({ key, s: s[i] })).filter((c) => !taken.has(c.key)).sort((a, b) => b.s - a.s);
  return order.slice(0, n).map((c) => c.key);
}

/** The `randomShare` slice at random, the rest the highest-scoring faces. */
function topPolicy(id: string, label: string, scorer: Scorer, randomShare = DEFAULT_QUEUE_POLICY.randomShare): Policy {
  return {
    id,
    label,
    select: (ctx) => {
      const { random, taken } = randomSlice(ctx, randomShare);
      return [...random, ...topScored(ctx, scorer, taken, ctx.k - random.length)];
    },
  };
}

/**
 * Half diversity, half disagreement: after the random slice, `diversityShare` of the picks by
 * k-center greedy (farthest from every labeled face) among `candidates` faces drawn at random (the
 * whole pool against 2,000 labeled faces would cost minutes a round), then the rest by `scorer`.
 */
function hybridPolicy(id: string, label: string, scorer: Scorer, diversityShare = 0.5, candidates = 3000, randomShare = DEFAULT_QUEUE_POLICY.randomShare): Policy {
  return {
    id,
    label,
    select: (ctx) => {
      const { random, taken } = randomSlice(ctx, randomShare);
      const nDiverse = Math.round((ctx.k - random.length) * diversityShare);
      const pool = shuffleTake(ctx.unlabeled.filter((key) => !taken.has(key)), candidates, ctx.rng);
      const diverse = kCenterGreedy(ctx.table, pool, [...ctx.labeled, ...random], nDiverse);
      diverse.forEach((key) => taken.add(key));
      return [...random, ...diverse, ...topScored(ctx, scorer, taken, ctx.k - random.length - diverse.length)];
    },
  };
}

const poolGrams = new WeakMap<FeatureTable, { size: number; g: Float64Array }>();
/** Σ xxᵀ over the whole pool (labeled and not): the same every round of a run, so computed once per table and pool. */
function poolGram(ctx: SelectContext): Float64Array {
  const size = ctx.labeled.length + ctx.unlabeled.length;
  let entry = poolGrams.get(ctx.table);
  if (!entry || entry.size !== size) {
    const rows = [...ctx.labeled, ...ctx.unlabeled].map((k) => ctx.table.rowOf.get(k)!);
    entry = { size, g: gram(ctx.table, rows) };
    poolGrams.set(ctx.table, entry);
  }
  return entry.g;
}

/**
 * Greedy V-optimal design (lib/domain/experimental-design.ts) after the random slice: the faces whose labels most
 * cut a linear model's predictive variance summed over the pool. `noise` scales each candidate's
 * label noise by the heads' expected age error (relative to the pool's mean), so faces whose age
 * the model finds ambiguous count as less informative; `strata` shares the picks over predicted age
 * bands sized like the pool (the labeled set then keeps the pool's age mix) and designs within each.
 */
function designPolicy(id: string, label: string, how: { noise?: boolean; lambda?: number; strata?: boolean } = {}, randomShare = DEFAULT_QUEUE_POLICY.randomShare): Policy {
  return {
    id,
    label,
    select: (ctx) => {
      const { random, taken } = randomSlice(ctx, randomShare);
      const rowOf = (k: string) => ctx.table.rowOf.get(k)!;
      const m = ctx.k - random.length;
      const groups = how.strata ? quotasOf(ctx, taken, m) : [{ faces: ctx.unlabeled.map((_, i) => i).filter((i) => !taken.has(ctx.unlabeled[i])), n: m }];
      const picks: string[] = [];
      for (const { faces, n } of groups) {
        if (n === 0) continue;
        let noise: Float64Array | undefined;
        if (how.noise) {
          const err = faces.map((i) => expectedAgeError(ctx.preds[i]) + 1);
          const mean = err.reduce((a, b) => a + b, 0) / err.length;
          noise = Float64Array.from(err, (e) => (e / mean) ** 2);
        }
        const chosen = pick({
          table: ctx.table,
          labeled: [...ctx.labeled, ...random, ...picks].map(rowOf),
          candidates: faces.map((i) => rowOf(ctx.unlabeled[i])),
          candidateNoise: noise,
          poolGram: poolGram(ctx),
          lambda: how.lambda ?? DESIGN_DEFAULTS.lambda,
          k: n,
        });
        picks.push(...chosen.map((j) => ctx.unlabeled[faces[j]]));
      }
      return [...random, ...picks];
    },
  };
}

/** `first` until the labeled set reaches `atLabels`, then `then` (e.g. cover the feature space first, then sample like the pool). */
function switchPolicy(id: string, label: string, first: Policy, then: Policy, atLabels: number): Policy {
  return { id, label, select: (ctx) => (ctx.labeled.length < atLabels ? first : then).select(ctx) };
}

/** `policy`'s picks, with the heads fitted under importance weights against its sampling bias (importance.ts). */
function importanceWeighted(id: string, label: string, policy: Policy): Policy {
  let cache: { table: FeatureTable; pool: readonly string[]; weights: ClusterWeights } | null = null;
  return {
    id,
    label,
    select: (ctx) => policy.select(ctx),
    weights: ({ table, pool, labeled }) => {
      if (cache?.table !== table || cache.pool !== pool) cache = { table, pool, weights: new ClusterWeights(table, pool) };
      return cache.weights.weights(labeled);
    },
  };
}

const randomPolicy: Policy = { id: 'random', label: 'random sampling (the baseline)', select: (ctx) => shuffleTake(ctx.unlabeled, ctx.k, ctx.rng) };
const design = designPolicy('design', 'greedy V-optimal design: the faces that most cut a linear model\'s predictive variance over the pool (label-free) (+10% random)');

const facetQueue = queuePolicy('facet', "Facet's queue: uncertainty (gender 0.5, age entropy 0.35) + diversity rule + 10% random", facetScore);
const designFacet = switchPolicy('design-facet', "V-optimal design (+10% random) until 1,000 labels, then Facet's uncertainty queue (the product since session 6)", design, facetQueue, DESIGN_DEFAULTS.until);
const designRandom = switchPolicy('design-random', 'V-optimal design (+10% random) until 1,000 labels, then random sampling', design, randomPolicy, DESIGN_DEFAULTS.until);

const randomScorer: Scorer = { scores: (ctx) => ctx.unlabeled.map(() => ctx.rng()) };

export const POLICIES: Record<string, Policy> = {
  random: randomPolicy,
  facet: facetQueue,
  'facet-years': queuePolicy('facet-years', 'queue with age uncertainty in years: gender 0.5 + expected age error 0.5 (+ rule, 10% random)', mixedScore({ gender: 0.5, ageError: 0.5 })),
  'age-years': queuePolicy('age-years', 'queue by expected age error only (+ rule, 10% random)', mixedScore({ ageError: 1 })),
  'age-entropy': queuePolicy('age-entropy', 'queue by age-bin entropy only (+ rule, 10% random)', mixedScore({ entropy: 1 })),
  'facet-kcenter': diversePolicy('facet-kcenter', "Facet's score, top 4k then k-center feature diversity (+10% random)", facetScore),
  'years-stratified': stratifiedPolicy('years-stratified', 'gender 0.5 + age error 0.5 within predicted age bands sized like the pool (+10% random)', mixedScore({ gender: 0.5, ageError: 0.5 })),
  'strat-kcenter': stratifiedPolicy('strat-kcenter', 'gender 0.5 + age error 0.5; bands sized like the pool; k-center feature diversity among each band\'s top 4×quota (+10% random)', mixedScore({ gender: 0.5, ageError: 0.5 }), { allocation: 'pool', within: 'kcenter' }),
  'years-neyman': stratifiedPolicy('years-neyman', 'gender 0.5 + age error 0.5 within predicted age bands sized by Neyman allocation (pool × mean expected age error) (+10% random)', mixedScore({ gender: 0.5, ageError: 0.5 }), { allocation: 'neyman', within: 'top' }),
  qbc: topPolicy('qbc', 'committee: sd of 5 bootstrap ridge age regressions (years), highest first (+10% random)', committeeScorer()),
  'qbc-density': topPolicy('qbc-density', 'committee sd × representativeness percentile (mean cosine similarity to 20 nearest of 1,000 pool faces) (+10% random)', committeeScorer({ density: true })),
  'qbc-noise': topPolicy('qbc-noise', 'committee sd ÷ (heads\' expected age error + 2 y) × representativeness (+10% random)', committeeScorer({ density: true, noise: true })),
  'qbc-strat': stratifiedPolicy('qbc-strat', 'committee sd × representativeness within predicted age bands sized like the pool (+10% random)', committeeScorer({ density: true })),
  'band-random': stratifiedPolicy('band-random', 'random within predicted age bands sized like the pool (stratified random)', randomScorer),
  'qbc-hybrid': hybridPolicy('qbc-hybrid', 'half k-center feature diversity (among 3,000 random candidates), half committee sd × representativeness (+10% random)', committeeScorer({ density: true })),
  design,
  'design-half': designPolicy('design-half', 'V-optimal design for half of each round, the other half at random', {}, 0.5),
  'design-strat': designPolicy('design-strat', 'V-optimal design within predicted age bands sized like the pool (+10% random)', { strata: true }),
  'design-facet': designFacet,
  'design-random': designRandom,
  'design-iw': importanceWeighted('design-iw', 'V-optimal design (+10% random), heads fitted with importance weights (pool share ÷ labeled share of k-means clusters)', design),
  'design-random-iw': importanceWeighted('design-random-iw', 'design-random, heads fitted with importance weights (pool share ÷ labeled share of k-means clusters)', designRandom),
  'design-facet-iw': importanceWeighted('design-facet-iw', 'design-facet (the product queue), heads fitted with importance weights (pool share ÷ labeled share of k-means clusters)', designFacet),
  'design-noise': designPolicy('design-noise', 'V-optimal design with each candidate\'s label noise scaled by the heads\' expected age error (+10% random)', { noise: true }),
  'years-kcenter': diversePolicy('years-kcenter', 'gender 0.5 + age error 0.5, top 4k then k-center feature diversity (+10% random)', mixedScore({ gender: 0.5, ageError: 0.5 })),
};
