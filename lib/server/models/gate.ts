/**
 * The promotion gate: a candidate replaces the active version only if, on the same held-out
 * faces, its age MAE is not worse by more than `maeEpsilon` years, its gender accuracy not worse
 * by more than `accEpsilon` or one face (1/n, whichever is larger: a single face must not decide),
 * and it is strictly better on at least one of the two. With fewer
 * than `minHeldOut` held-out faces there is nothing to prove it on: rejected (a maintainer may
 * still promote it by hand). Defaults: FACET_GATE_MAE_EPSILON (0.05 y), FACET_GATE_ACC_EPSILON
 * (0.005), FACET_GATE_MIN_HELD_OUT (1); a round's params can override them.
 */
export type GateRule = { maeEpsilon: number; accEpsilon: number; minHeldOut: number };
export type GateScores = { n: number; ageMae: number; genderAccuracy: number | null };
export type GateDecision = { promote: boolean; reason: string; rule: GateRule };

const envNumber = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(v) && v >= 0 ? v : fallback;
};

export function defaultGateRule(): GateRule {
  return {
    maeEpsilon: envNumber('FACET_GATE_MAE_EPSILON', 0.05),
    accEpsilon: envNumber('FACET_GATE_ACC_EPSILON', 0.005),
    minHeldOut: envNumber('FACET_GATE_MIN_HELD_OUT', 1),
  };
}

const fmt = (v: number) => v.toFixed(3);
const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(1)}%`);

export function decidePromotion(candidate: GateScores, current: GateScores | null, rule: GateRule = defaultGateRule()): GateDecision {
  if (candidate.n < rule.minHeldOut) return { promote: false, reason: `only ${candidate.n} held-out faces (need ${rule.minHeldOut})`, rule };
  if (!Number.isFinite(candidate.ageMae)) return { promote: false, reason: 'candidate has no finite held-out MAE', rule };
  if (!current) return { promote: true, reason: 'no current version to compare with', rule };
  const dMae = candidate.ageMae - current.ageMae;
  const accKnown = candidate.genderAccuracy !== null && current.genderAccuracy !== null;
  const dAcc = accKnown ? candidate.genderAccuracy! - current.genderAccuracy! : 0;
  const summary = `MAE ${fmt(candidate.ageMae)} vs ${fmt(current.ageMae)}, gender ${pct(candidate.genderAccuracy)} vs ${pct(current.genderAccuracy)} on ${candidate.n} held-out faces`;
  if (dMae > rule.maeEpsilon) return { promote: false, reason: `age MAE worse by ${fmt(dMae)} y (allowed ${rule.maeEpsilon}): ${summary}`, rule };
  const accAllowed = Math.max(rule.accEpsilon, 1 / Math.max(1, candidate.n));
  if (dAcc < -accAllowed - 1e-12) return { promote: false, reason: `gender accuracy worse by ${(100 * -dAcc).toFixed(2)} points (allowed ${(100 * accAllowed).toFixed(2)}): ${summary}`, rule };
  if (dMae < 0 || dAcc > 0) return { promote: true, reason: `better: ${summary}`, rule };
  return { promote: false, reason: `not better on either measure: ${summary}`, rule };
}
