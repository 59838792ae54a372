/**
 * The annotation queue's ordering reproduced offline, for the active-learning bench: a batch of
 * labels as one annotator working through the queue would produce them, using the product's own
 * pieces — `uncertainty` (lib/domain/uncertainty.ts) for each face's score, and `chooseMode` /
 * `pickFace` (lib/domain/queue-policy.ts) for the random slice and the diversity rule. The only
 * thing re-implemented is the server's candidate windows (lib/api/annotate/next-face.ts):
 * UNCERTAINTY → the `window` most uncertain open faces; RANDOM → the `window` open faces from a
 * uniformly random position of the queue (in uncertainty order) onwards.
 *
 * Also here: candidate scores the bench compares with the product's (pure, so they could replace
 * or join `uncertainty` if they win).
 */
import { AGE_BIN_CENTERS, AGE_BIN_COUNT, ageToBin, MAX_AGE } from './age-bins';
import { chooseMode, pickFace, type QueueCandidate, type QueueMode, type QueuePolicy, type RecentFace, type Rng } from './queue-policy';
import { genderUncertainty, normalizedEntropy, uncertainty } from './uncertainty';

/** What the model said about a face: the prediction fields the server stores. */
export type FacePrediction = { pFemale: number; ageBins: readonly number[]; age: number };

/** A candidate with its prediction, as the server would hold it after pre-labeling. */
export function queueCandidate(id: string, imageId: string, pred: FacePrediction, score: ScoreFn = facetScore): QueueCandidate {
  const s = score(pred);
  return {
    id,
    imageId,
    uncertainty: s.score,
    uncertaintyWhy: s.why,
    predGender: pred.pFemale >= 0.5 ? 'FEMALE' : 'MALE',
    predAgeBin: ageToBin(Math.min(MAX_AGE, Math.max(0, pred.age))),
  };
}

export type ScoreFn = (pred: FacePrediction) => { score: number; why: string };

/** The product's score (imported crops have no detector score: that component is 0 for all). */
export const facetScore: ScoreFn = (p) => uncertainty({ pMale: 1 - p.pFemale, ageProbs: p.ageBins, detScore: null });

/**
 * The model's own expected absolute age error in years, Σ p(bin) · |centre(bin) − predicted age|:
 * age uncertainty measured in years (what MAE counts) rather than in bins. Bins are narrow for
 * children and wide for adults, so bin entropy ranks a child unsure between 3 and 5 above an adult
 * unsure between 30 and 50; this ranks them the other way.
 */
export function expectedAgeError(p: FacePrediction): number {
  let e = 0;
  let mass = 0;
  for (let i = 0; i < AGE_BIN_COUNT; i++) {
    e += p.ageBins[i] * Math.abs(AGE_BIN_CENTERS[i] - p.age);
    mass += p.ageBins[i];
  }
  return mass > 0 ? e / mass : 0;
}

/** Years of expected age error that count as fully uncertain (1.0) in `mixedScore`. */
export const AGE_ERROR_SCALE = 20;

/**
 * A weighted mix of gender margin, age-bin entropy and expected age error (each 0..1), e.g.
 * { gender: 0.5, entropy: 0.35 } is the product's score without the detector term.
 */
export function mixedScore(weights: { gender?: number; entropy?: number; ageError?: number }): ScoreFn {
  return (p) => {
    const parts = {
      gender: genderUncertainty(1 - p.pFemale),
      entropy: normalizedEntropy(p.ageBins),
      ageError: Math.min(1, expectedAgeError(p) / AGE_ERROR_SCALE),
    };
    let score = 0;
    let top: keyof typeof parts = 'gender';
    for (const k of Object.keys(parts) as (keyof typeof parts)[]) {
      const w = weights[k] ?? 0;
      score += w * parts[k];
      if (w * parts[k] > (weights[top] ?? 0) * parts[top]) top = k;
    }
    const why = top === 'gender' ? `gender uncertain: p(male) ${(1 - p.pFemale).toFixed(2)}` : top === 'entropy' ? `age uncertain: spread ${parts.entropy.toFixed(2)}` : `age uncertain: ±${expectedAgeError(p).toFixed(0)} years`;
    return { score, why };
  };
}

export type BatchPick = { id: string; mode: QueueMode; diversityRelaxed: boolean };

/**
 * `k` picks from `candidates` as the queue serves them to one annotator (no leases, nobody else
 * working): each pick draws its mode, takes the server's window and lets `pickFace` apply the
 * diversity rule; the picked face leaves the queue and joins the annotator's recent faces.
 * `recent` (most recent first) carries the annotator's history between batches and is updated.
 */
export function queueBatch(candidates: readonly QueueCandidate[], k: number, policy: QueuePolicy, rng: Rng, recent: RecentFace[] = []): BatchPick[] {
  // Queue order: uncertainty descending; ties keep input order (the database's order is unspecified).
  const open = candidates.map((c, i) => [c, i] as const).sort((a, b) => b[0].uncertainty - a[0].uncertainty || a[1] - b[1]).map(([c]) => c);
  const keep = Math.max(policy.recentImages, policy.maxSameCell);
  const picks: BatchPick[] = [];
  while (picks.length < k && open.length > 0) {
    let mode = chooseMode(policy, rng);
    let start = 0;
    if (mode === 'RANDOM') start = Math.min(open.length - 1, Math.floor(rng() * open.length));
    const window = open.slice(start, start + Math.max(1, policy.window));
    if (window.length === 0) mode = 'UNCERTAINTY';
    const pick = pickFace(window.length ? window : open.slice(0, policy.window), recent, mode, policy)!;
    open.splice(open.indexOf(pick.face), 1);
    recent.unshift({ imageId: pick.face.imageId, predGender: pick.face.predGender, predAgeBin: pick.face.predAgeBin });
    recent.length = Math.min(recent.length, keep);
    picks.push({ id: pick.face.id, mode: pick.mode, diversityRelaxed: pick.diversityRelaxed });
  }
  return picks;
}
