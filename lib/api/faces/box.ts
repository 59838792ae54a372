import { type Box, MIN_BOX_SIDE, boxFromCorners, clampBox as clampToImage, isUsableBox } from '@/lib/domain/box';
import { badRequest } from '@/lib/server/http/errors';

/**
 * The server's check of a box the UI sends, with the same geometry as the canvas (lib/domain/box):
 * a dragged box with negative width/height is normalised, clamped to the image, and refused when
 * less than MIN_BOX_SIDE × MIN_BOX_SIDE pixels remain inside.
 */
export function clampBox(box: Box, width: number, height: number): Box {
  const clamped = clampToImage(boxFromCorners(box.x, box.y, box.x + box.w, box.y + box.h), width, height);
  if (!isUsableBox(clamped)) {
    const size = (n: number) => Math.round(n * 100) / 100;
    throw badRequest(
      `The box must be at least ${MIN_BOX_SIDE}×${MIN_BOX_SIDE} pixels inside the image; ` +
        `inside the ${width}×${height} image it is ${size(clamped.w)}×${size(clamped.h)}.`,
      { code: 'BOX_TOO_SMALL', clamped },
    );
  }
  return clamped;
}
