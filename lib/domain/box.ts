export type Box = { x: number; y: number; w: number; h: number };

/** The smallest face box kept, in image pixels (anything smaller is a mis-click). */
export const MIN_BOX_SIDE = 2;

/** The part of a box inside a width × height image (boxes dragged past an edge are clamped). */
export function clampBox(box: Box, width: number, height: number): Box {
  const x1 = Math.min(Math.max(box.x, 0), width);
  const y1 = Math.min(Math.max(box.y, 0), height);
  const x2 = Math.min(Math.max(box.x + box.w, 0), width);
  const y2 = Math.min(Math.max(box.y + box.h, 0), height);
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
}

export function isUsableBox(box: Box): boolean {
  return box.w >= MIN_BOX_SIDE && box.h >= MIN_BOX_SIDE;
}

/** A box from two corner points in any order. */
export function boxFromCorners(ax: number, ay: number, bx: number, by: number): Box {
  return { x: Math.min(ax, bx), y: Math.min(ay, by), w: Math.abs(bx - ax), h: Math.abs(by - ay) };
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}
