/**
 * Feature-space diversity for batch selection: k-center greedy (farthest-first) over candidate
 * rows of a feature table, measured from the already-labeled rows.
 */
import type { FeatureTable } from './data';

function dist2(x: Float32Array, d: number, a: number, b: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const v = x[a * d + j] - x[b * d + j];
    s += v * v;
  }
  return s;
}

/**
 * Picks `k` of `candidates` one by one, each time the candidate farthest (Euclidean) from every
 * row in `anchors` and every earlier pick. Ties and an empty anchor set start from the first
 * candidate (callers pass candidates best-first, so the best-scored one leads).
 */
export function kCenterGreedy(table: FeatureTable, candidates: readonly string[], anchors: readonly string[], k: number): string[] {
  const d = table.dims;
  const rows = candidates.map((c) => table.rowOf.get(c)!);
  const near = new Float64Array(rows.length).fill(Infinity);
  const anchorRows = anchors.map((a) => table.rowOf.get(a)!);
  rows.forEach((r, i) => {
    for (const a of anchorRows) near[i] = Math.min(near[i], dist2(table.x, d, r, a));
  });
  const picked: string[] = [];
  const used = new Uint8Array(rows.length);
  while (picked.length < Math.min(k, rows.length)) {
    let best = -1;
    for (let i = 0; i < rows.length; i++) if (!used[i] && (best < 0 || near[i] > near[best])) best = i;
    used[best] = 1;
    picked.push(candidates[best]);
    for (let i = 0; i < rows.length; i++) if (!used[i]) near[i] = Math.min(near[i], dist2(table.x, d, rows[i], rows[best]));
  }
  return picked;
}
