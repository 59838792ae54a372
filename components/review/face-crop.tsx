import { cropPlacement, type ReviewFace } from '@/lib/client/review';

/**
 * The face's box (with a margin) filling a square tile: the thumbnail, or the full image when the
 * thumbnail is too coarse for a small face, scaled and shifted inside a clipping box.
 */
export function FaceCrop({ face, size = 160 }: { face: Pick<ReviewFace, 'image' | 'box'>; size?: number }) {
  const { src, style } = cropPlacement(face, size);
  return (
    <div className="face-crop">
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img src={src} alt={`Face in ${face.image.sourceName}`} loading="lazy" decoding="async" draggable={false} style={style} />
    </div>
  );
}
