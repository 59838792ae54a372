export type Box = { x: number; y: number; w: number; h: number };

/**
 * The square crop around a face box, UTKFace-chip style: centred on the box, side = the box's
 * longer side × (1 + 2·margin). Returned as the part inside the image plus the padding needed on
 * each side where the square runs past the image edge (all in whole pixels).
 */
export function squareCrop(box: Box, imageWidth: number, imageHeight: number, margin: number) {
  const side = Math.max(1, Math.round(Math.max(box.w, box.h) * (1 + 2 * margin)));
  const left = Math.round(box.x + box.w / 2 - side / 2);
  const top = Math.round(box.y + box.h / 2 - side / 2);
  const inLeft = Math.max(0, left);
  const inTop = Math.max(0, top);
  const inRight = Math.min(imageWidth, left + side);
  const inBottom = Math.min(imageHeight, top + side);
  if (inRight <= inLeft || inBottom <= inTop) throw new RangeError('the face box lies outside the image');
  return {
    extract: { left: inLeft, top: inTop, width: inRight - inLeft, height: inBottom - inTop },
    pad: { left: inLeft - left, top: inTop - top, right: left + side - inRight, bottom: top + side - inBottom },
    side,
  };
}
