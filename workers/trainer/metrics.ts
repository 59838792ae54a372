/**
 * Evaluation metrics for age/gender predictions: age MAE, gender accuracy, age-bin accuracy
 * (exact and ±1 bin), expected calibration error of the gender probability, and the same per
 * age band, gender and race. Pure functions (no tfjs), so tests can check them by hand.
 */
import { AGE_BANDS, ageBand, ageToBin } from '../../lib/domain/age-bins';

export type Truth = { age: number; gender: 0 | 1 | null; race?: string };
/** pFemale: P(gender = female); bin: predicted age bin (argmax of the bin head). */
export type Prediction = { age: number; pFemale: number; bin: number };

export type MetricSummary = {
  n: number;
  ageMae: number;
  /** Over faces with a known gender (null when there are none). */
  genderAccuracy: number | null;
  binExact: number;
  binWithin1: number;
  genderEce: number | null;
};

export type MetricReport = {
  overall: MetricSummary;
  byAgeBand: Record<string, MetricSummary>;
  byGender: Record<string, MetricSummary>;
  byRace: Record<string, MetricSummary>;
};

/**
 * Expected calibration error of a binary probability: confidence = max(p, 1 - p), `bins`
 * equal-width confidence bins over [0.5, 1]; Σ (n_b / N) · |accuracy_b − confidence_b|.
 */
export function expectedCalibrationError(pPositive: number[], labels: (0 | 1)[], bins = 10): number {
  if (pPositive.length !== labels.length) throw new RangeError('probabilities and labels differ in length');
  if (labels.length === 0) return NaN;
  const count = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  const confSum = new Array<number>(bins).fill(0);
  pPositive.forEach((p, i) => {
    const predicted = p >= 0.5 ? 1 : 0;
    const conf = Math.max(p, 1 - p);
    const b = Math.min(bins - 1, Math.floor(((conf - 0.5) / 0.5) * bins));
    count[b]++;
    confSum[b] += conf;
    if (predicted === labels[i]) correct[b]++;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    ece += (count[b] / labels.length) * Math.abs(correct[b] / count[b] - confSum[b] / count[b]);
  }
  return ece;
}

export function summarize(truth: Truth[], preds: Prediction[]): MetricSummary {
  if (truth.length !== preds.length) throw new RangeError('truth and predictions differ in length');
  const n = truth.length;
  if (n === 0) return { n: 0, ageMae: NaN, genderAccuracy: null, binExact: NaN, binWithin1: NaN, genderEce: null };
  let absErr = 0;
  let exact = 0;
  let within1 = 0;
  const gp: number[] = [];
  const gl: (0 | 1)[] = [];
  let genderRight = 0;
  truth.forEach((t, i) => {
    const p = preds[i];
    absErr += Math.abs(p.age - t.age);
    const trueBin = ageToBin(t.age);
    if (p.bin === trueBin) exact++;
    if (Math.abs(p.bin - trueBin) <= 1) within1++;
    if (t.gender !== null) {
      gp.push(p.pFemale);
      gl.push(t.gender);
      if ((p.pFemale >= 0.5 ? 1 : 0) === t.gender) genderRight++;
    }
  });
  return {
    n,
    ageMae: absErr / n,
    genderAccuracy: gl.length ? genderRight / gl.length : null,
    binExact: exact / n,
    binWithin1: within1 / n,
    genderEce: gl.length ? expectedCalibrationError(gp, gl) : null,
  };
}

function groupBy(truth: Truth[], preds: Prediction[], keyOf: (t: Truth) => string, order?: readonly string[]) {
  const groups = new Map<string, number[]>();
  for (const k of order ?? []) groups.set(k, []);
  truth.forEach((t, i) => {
    const k = keyOf(t);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(i);
  });
  const out: Record<string, MetricSummary> = {};
  for (const [k, idx] of groups) {
    if (idx.length === 0) continue;
    out[k] = summarize(idx.map((i) => truth[i]), idx.map((i) => preds[i]));
  }
  return out;
}

export function evaluate(truth: Truth[], preds: Prediction[]): MetricReport {
  return {
    overall: summarize(truth, preds),
    byAgeBand: groupBy(truth, preds, (t) => ageBand(t.age), AGE_BANDS.map((b) => b.label)),
    byGender: groupBy(truth, preds, (t) => (t.gender === 0 ? 'MALE' : t.gender === 1 ? 'FEMALE' : 'UNKNOWN'), ['MALE', 'FEMALE']),
    byRace: groupBy(truth, preds, (t) => t.race ?? 'UNKNOWN', ['WHITE', 'BLACK', 'ASIAN', 'INDIAN', 'OTHER']),
  };
}

const genderName = (g: 0 | 1 | null) => (g === 0 ? 'MALE' : g === 1 ? 'FEMALE' : 'UNKNOWN');

/** The fairness table: metrics per age band × gender × race cell (cells with faces only). */
export function crossGroups(truth: Truth[], preds: Prediction[]): Record<string, MetricSummary> {
  return groupBy(truth, preds, (t) => `${ageBand(t.age)} · ${genderName(t.gender)} · ${t.race ?? 'UNKNOWN'}`);
}

/** Metrics per arbitrary key (e.g. dataset). */
export function byKey(truth: Truth[], preds: Prediction[], keys: string[]): Record<string, MetricSummary> {
  const index = new Map(truth.map((t, i) => [t, keys[i]]));
  return groupBy(truth, preds, (t) => index.get(t) ?? '');
}
