/**
 * The detector's original boxes on an image pre-labeled before its output was recorded (DetectorRun),
 * rebuilt from the faces and their history (LabelEvent before → after snapshots). Pure.
 *
 * - A detected face still there: its box before the first change (the first event's `before.box`),
 *   else its box now; its score is the face's `predDetScore`.
 * - A deleted face: the DELETE event keeps its last box and version, and its older events lose their
 *   face id. They are found again on the same image by version (v, v−1, …) and box (each event's
 *   `after.box` is the box the next one started from); the chain's first `before.box` is the original.
 *   A chain that reaches a CREATE (drawn) or IMPORT event was no detection. Its score was never kept
 *   (`score: null`).
 */
import type { Box } from './box';
import type { ScoredBox } from './detector-calibration';

export type HistoryFace = Box & { id: string; boxSource: string; predDetScore: number | null };
export type HistoryEvent = { id: number; faceId: string | null; action: string; before: unknown; after: unknown; faceVersion: number };

const NOT_DETECTED = new Set(['CREATE', 'IMPORT']);

function boxOf(snapshot: unknown): Box | null {
  const b = (snapshot as { box?: Partial<Box> } | null)?.box;
  return b && [b.x, b.y, b.w, b.h].every((v) => typeof v === 'number' && Number.isFinite(v)) ? (b as Box) : null;
}

const same = (a: Box, b: Box) => Math.abs(a.x - b.x) < 1e-6 && Math.abs(a.y - b.y) < 1e-6 && Math.abs(a.w - b.w) < 1e-6 && Math.abs(a.h - b.h) < 1e-6;
const plain = (b: Box): Box => ({ x: b.x, y: b.y, w: b.w, h: b.h });

/** `events`: every event of the image, any order. */
export function reconstructDetections(faces: HistoryFace[], events: HistoryEvent[]): ScoredBox[] {
  const sorted = [...events].sort((a, b) => a.id - b.id);
  const out: ScoredBox[] = [];
  for (const face of faces) {
    if (face.boxSource !== 'DETECTED') continue;
    const first = sorted.find((e) => e.faceId === face.id && boxOf(e.before));
    out.push({ ...plain(first ? boxOf(first.before)! : face), score: face.predDetScore });
  }
  const orphans = sorted.filter((e) => e.faceId === null && e.action !== 'DELETE');
  const used = new Set<number>();
  for (const del of sorted.filter((e) => e.action === 'DELETE')) {
    let box = boxOf(del.before);
    if (!box) continue;
    let detected = true;
    for (let v = del.faceVersion - 1; v >= 1; v--) {
      const prev = orphans.findLast((e) => !used.has(e.id) && e.id < del.id && e.faceVersion === v && boxOf(e.after) && same(boxOf(e.after)!, box!));
      if (!prev) break;
      used.add(prev.id);
      if (NOT_DETECTED.has(prev.action)) {
        detected = false;
        break;
      }
      box = boxOf(prev.before) ?? box;
    }
    if (detected) out.push({ ...plain(box), score: null });
  }
  return out;
}
