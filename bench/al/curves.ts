/**
 * Learning curves of the active-learning bench (pure): labels needed to reach an error, the label
 * savings of one policy against another, and mean/spread over repeats.
 */
export type CurvePoint = { labels: number; mae: number; genderAccuracy: number };
export type Curve = CurvePoint[];

export type Metric = 'mae' | 'genderAccuracy';
/** As a loss (lower is better), so both metrics share one crossing rule. */
const loss = (p: CurvePoint, metric: Metric) => (metric === 'mae' ? p.mae : -p.genderAccuracy);

/**
 * Labels at which `curve` (points in label order) first gets to `target` (MAE at or below, or
 * gender accuracy at or above), linearly interpolated between the two rounds around the crossing;
 * null if it never does.
 */
export function labelsToReach(curve: readonly CurvePoint[], target: number, metric: Metric = 'mae'): number | null {
  const goal = metric === 'mae' ? target : -target;
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i];
    if (loss(p, metric) > goal) continue;
    if (i === 0) return p.labels;
    const q = curve[i - 1];
    const t = (loss(q, metric) - goal) / (loss(q, metric) - loss(p, metric));
    return q.labels + t * (p.labels - q.labels);
  }
  return null;
}

/**
 * Share of labels `policy` saves in reaching the baseline's final MAE (or gender accuracy): 1 − labels(policy) /
 * labels(baseline's last round). Negative when it needs more; null when it never gets there
 * within the run (so the saving is not measurable, and certainly not positive).
 */
export function labelSavings(policy: readonly CurvePoint[], baseline: readonly CurvePoint[], metric: Metric = 'mae'): { target: number; labels: number | null; baselineLabels: number; savings: number | null } {
  const last = baseline[baseline.length - 1];
  const labels = labelsToReach(policy, last[metric], metric);
  return { target: last[metric], labels, baselineLabels: last.labels, savings: labels === null ? null : 1 - labels / last.labels };
}

export type Spread = { mean: number; sd: number; min: number; max: number; n: number };

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN, min: NaN, max: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...values), max: Math.max(...values), n };
}

/** Point-wise mean of curves with the same label schedule. */
export function meanCurve(curves: readonly Curve[]): Curve {
  if (curves.length === 0) return [];
  return curves[0].map((p, i) => {
    if (curves.some((c) => c[i]?.labels !== p.labels)) throw new Error('curves have different label schedules');
    return {
      labels: p.labels,
      mae: curves.reduce((s, c) => s + c[i].mae, 0) / curves.length,
      genderAccuracy: curves.reduce((s, c) => s + c[i].genderAccuracy, 0) / curves.length,
    };
  });
}

/**
 * Label savings at every budget, not only at the baseline's last (noisy) point: for each baseline
 * round after the seed, the labels `policy` needs to reach the baseline's MAE there, as a share
 * saved (1 − labels ÷ budget); `mean` averages them, so one lucky or unlucky baseline round moves
 * it by 1/rounds. A budget the policy never reaches within the run counts as reached at its last
 * round (an upper bound on its saving there) and is counted in `unreached`.
 */
export function savingsByBudget(policy: readonly CurvePoint[], baseline: readonly CurvePoint[], metric: Metric = 'mae'): { budgets: { labels: number; savings: number; reached: boolean }[]; mean: number; unreached: number } {
  const last = policy[policy.length - 1].labels;
  const budgets = baseline.slice(1).map((b) => {
    const labels = labelsToReach(policy, b[metric], metric);
    return { labels: b.labels, savings: 1 - (labels ?? last) / b.labels, reached: labels !== null };
  });
  const mean = budgets.reduce((s, b) => s + b.savings, 0) / (budgets.length || 1);
  return { budgets, mean, unreached: budgets.filter((b) => !b.reached).length };
}
