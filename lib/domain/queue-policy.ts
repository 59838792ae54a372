/**
 * Which face the annotation queue serves next (pure; the server feeds it candidates).
 *
 * 1. Mode: with probability `randomShare` (default 10%) the pick is a RANDOM sample of the open
 *    queue, otherwise the most UNCERTAIN face first. The random slice gives unbiased labels, so the
 *    gain of uncertainty sampling over random sampling stays measurable.
 * 2. Diversity, applied to the candidates in order (highest uncertainty first, or from the random
 *    position onwards): a candidate is passed over when
 *    - its image is the image of any of the annotator's last `recentImages` (3) faces, or
 *    - the annotator's last `maxSameCell` (2) faces all had the same predicted gender × age-bin cell
 *      as the candidate (so no more than 2 faces of one cell in a row). Faces without a prediction
 *      have no cell and never trip this rule.
 *    The first candidate that passes wins. If none passes, the first candidate is served anyway
 *    (diversity is a preference; it never starves the queue).
 */

export type QueueCandidate = {
  id: string;
  imageId: string;
  uncertainty: number;
  uncertaintyWhy: string | null;
  predGender: string | null;
  predAgeBin: number | null;
};

/** One face the annotator worked on recently (most recent first). */
export type RecentFace = { imageId: string | null; predGender: string | null; predAgeBin: number | null };

export type QueuePolicy = {
  /** Share of picks drawn at random from the open queue, 0..1. */
  randomShare: number;
  /** Do not serve a face of the same image as any of the annotator's last K faces. */
  recentImages: number;
  /** At most this many faces in a row with the same predicted gender × age-bin cell. */
  maxSameCell: number;
  /** How many candidates the server loads per pick. */
  window: number;
};

export const DEFAULT_QUEUE_POLICY: QueuePolicy = { randomShare: 0.1, recentImages: 3, maxSameCell: 2, window: 32 };

export type QueueMode = 'UNCERTAINTY' | 'RANDOM';
export type Rng = () => number;

export type QueuePick = {
  face: QueueCandidate;
  mode: QueueMode;
  /** What the UI shows: why this face was queued. */
  why: string;
  /** True when every candidate broke the diversity rule and the first one was served anyway. */
  diversityRelaxed: boolean;
};

/** A small seeded PRNG (mulberry32) for reproducible tests and benches. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function chooseMode(policy: QueuePolicy, rng: Rng): QueueMode {
  return policy.randomShare > 0 && rng() < policy.randomShare ? 'RANDOM' : 'UNCERTAINTY';
}

const cellOf = (f: { predGender: string | null; predAgeBin: number | null }) =>
  f.predGender === null || f.predAgeBin === null ? null : `${f.predGender}:${f.predAgeBin}`;

/** Whether serving `face` after `recent` (most recent first) keeps the diversity rule. */
export function isDiverse(face: QueueCandidate, recent: readonly RecentFace[], policy: QueuePolicy): boolean {
  const images = recent.slice(0, policy.recentImages);
  if (images.some((r) => r.imageId !== null && r.imageId === face.imageId)) return false;
  const cell = cellOf(face);
  if (cell === null || policy.maxSameCell <= 0) return true;
  const run = recent.slice(0, policy.maxSameCell);
  return !(run.length === policy.maxSameCell && run.every((r) => cellOf(r) === cell));
}

export function randomWhy(policy: QueuePolicy): string {
  return `random sample (${Math.round(policy.randomShare * 1000) / 10}%)`;
}

export function uncertaintyWhy(face: Pick<QueueCandidate, 'uncertainty' | 'uncertaintyWhy'>): string {
  return face.uncertaintyWhy?.trim() || `model uncertainty: ${face.uncertainty.toFixed(2)}`;
}

/** The human reason for a face served in `mode`. */
export function whyServed(face: Pick<QueueCandidate, 'uncertainty' | 'uncertaintyWhy'>, mode: QueueMode, policy: QueuePolicy): string {
  return mode === 'RANDOM' ? randomWhy(policy) : uncertaintyWhy(face);
}

/**
 * Picks from `candidates` (already in queue order for `mode`): the first that keeps the diversity
 * rule, else the first. Null when there are no candidates.
 */
export function pickFace(
  candidates: readonly QueueCandidate[],
  recent: readonly RecentFace[],
  mode: QueueMode,
  policy: QueuePolicy = DEFAULT_QUEUE_POLICY,
): QueuePick | null {
  if (candidates.length === 0) return null;
  const diverse = candidates.find((c) => isDiverse(c, recent, policy));
  const face = diverse ?? candidates[0];
  return { face, mode, why: whyServed(face, mode, policy), diversityRelaxed: !diverse };
}

/** Parses FACET_QUEUE_RANDOM_SHARE-style settings; out-of-range or malformed values fall back. */
export function policyFromEnv(env: Record<string, string | undefined>): QueuePolicy {
  const num = (v: string | undefined, fallback: number, ok: (n: number) => boolean) => {
    const n = v === undefined || v.trim() === '' ? NaN : Number(v);
    return Number.isFinite(n) && ok(n) ? n : fallback;
  };
  const d = DEFAULT_QUEUE_POLICY;
  return {
    randomShare: num(env.FACET_QUEUE_RANDOM_SHARE, d.randomShare, (n) => n >= 0 && n <= 1),
    recentImages: Math.floor(num(env.FACET_QUEUE_RECENT_IMAGES, d.recentImages, (n) => n >= 0 && n <= 50)),
    maxSameCell: Math.floor(num(env.FACET_QUEUE_MAX_SAME_CELL, d.maxSameCell, (n) => n >= 0 && n <= 50)),
    window: d.window,
  };
}
