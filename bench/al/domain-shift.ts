/**
 * Domain-shift proof (issue 6, item 8): a round-0 model trained on UTKFace faces that
 * under-represent older people (ages 60+ are ~11% of UTKFace; here ~1% of round 0's faces), its
 * held-out error on that group, then a round that adds labels for a shifted subset (train-split
 * faces aged 60+) warm-started from round 0, and the group's held-out error again.
 *
 * Small and deterministic (faces chosen by a seeded hash of the file name) so a clean checkout
 * can extract the features it needs (one backbone, plain crops, ≤ 1,500 faces) in a minute or two.
 */
import { unitHash } from '../../lib/domain/split';
import type { MetricSummary } from '../../workers/trainer/metrics';
import type { FaceRecord } from '../../workers/trainer/utkface';
import { ensureFeatures, featureTable, type FeatureSetId, openFeatureCaches } from './data';
import { HeadsLearner, type LearnerOptions } from './learner';

export type ShiftConfig = {
  /** The under-represented group. */
  inGroup: (r: FaceRecord) => boolean;
  groupLabel: string;
  /** Round-0 training faces outside the group, and inside it (the under-representation). */
  baseOthers: number;
  baseGroup: number;
  /** Faces of the group labeled for round 1 (train split, disjoint from round 0). */
  shifted: number;
  /** Held-out (test split) faces: of the group, and of everyone else. */
  heldGroup: number;
  heldOthers: number;
  features: FeatureSetId;
  learner: LearnerOptions;
  seed: string;
};

export const DEFAULT_SHIFT: ShiftConfig = {
  inGroup: (r) => r.age >= 60,
  groupLabel: 'ages 60+',
  baseOthers: 700,
  baseGroup: 8,
  shifted: 250,
  heldGroup: 250,
  heldOthers: 250,
  features: 'ag-gap',
  learner: { warmStart: true, steps: 300, warmSteps: 200, train: { batchSize: 64 } },
  seed: 'facet-domain-shift-v1',
};

export type ShiftSubsets = { base: FaceRecord[]; shifted: FaceRecord[]; heldGroup: FaceRecord[]; heldOthers: FaceRecord[] };

/** The deterministic subsets (pure: the same records always give the same faces). */
export function shiftSubsets(records: FaceRecord[], cfg: ShiftConfig = DEFAULT_SHIFT): ShiftSubsets {
  const ordered = [...records].sort((a, b) => unitHash(a.key, cfg.seed) - unitHash(b.key, cfg.seed));
  const take = (split: FaceRecord['split'], group: boolean, n: number, skip = 0) =>
    ordered.filter((r) => r.split === split && cfg.inGroup(r) === group).slice(skip, skip + n);
  return {
    base: [...take('train', false, cfg.baseOthers), ...take('train', true, cfg.baseGroup)],
    shifted: take('train', true, cfg.shifted, cfg.baseGroup),
    heldGroup: take('test', true, cfg.heldGroup),
    heldOthers: take('test', false, cfg.heldOthers),
  };
}

export type ShiftResult = {
  counts: { base: number; baseGroup: number; shifted: number; heldGroup: number; heldOthers: number };
  before: { group: MetricSummary; others: MetricSummary };
  after: { group: MetricSummary; others: MetricSummary };
  extractMs: number;
  trainMs: number;
};

/** `cacheRoot`: feature cache folder (default .cache/features; a temp folder measures a cold start). */
export async function runDomainShift(records: FaceRecord[], cfg: ShiftConfig = DEFAULT_SHIFT, log: (m: string) => void = () => {}, cacheRoot?: string): Promise<ShiftResult> {
  const s = shiftSubsets(records, cfg);
  const all = [...s.base, ...s.shifted, ...s.heldGroup, ...s.heldOthers];
  const e0 = performance.now();
  await ensureFeatures(all, cfg.features, log, cacheRoot);
  const extractMs = performance.now() - e0;
  const table = featureTable(all.map((r) => r.key), cfg.features, openFeatureCaches(cfg.features, cacheRoot));
  const t0 = performance.now();
  // Training is on fixed steps (no early stopping), so no validation faces are needed.
  const learner = new HeadsLearner(table, [], cfg.learner, 1);
  await learner.fit(s.base);
  const before = { group: learner.evaluate(s.heldGroup), others: learner.evaluate(s.heldOthers) };
  await learner.fit([...s.base, ...s.shifted]); // the round: warm start from round 0's weights
  const after = { group: learner.evaluate(s.heldGroup), others: learner.evaluate(s.heldOthers) };
  learner.dispose();
  return {
    counts: { base: s.base.length, baseGroup: s.base.filter(cfg.inGroup).length, shifted: s.shifted.length, heldGroup: s.heldGroup.length, heldOthers: s.heldOthers.length },
    before,
    after,
    extractMs,
    trainMs: performance.now() - t0,
  };
}
