'use client';

import styles from './prelabel.module.css';

export type OverlayBox = {
  key: string;
  box: { x: number; y: number; w: number; h: number };
  label: string;
  title?: string;
  gender?: string | null;
  labeled?: boolean;
};

/**
 * The photo with every face box drawn on it, placed in percentages of the original image's
 * pixels so the boxes stay put at any display size.
 */
export function FaceOverlay({
  src,
  width,
  height,
  boxes,
  highlighted,
  alt,
  testId,
}: {
  src: string;
  width: number;
  height: number;
  boxes: OverlayBox[];
  highlighted?: string | null;
  alt: string;
  testId?: string;
}) {
  const pct = (v: number, of: number) => `${(v / of) * 100}%`;
  return (
    <div className={styles.stage} data-testid={testId}>
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img src={src} alt={alt} width={width} height={height} />
      {boxes.map((b) => (
        <div
          key={b.key}
          data-testid="face-box"
          data-face-id={b.key}
          data-highlighted={highlighted === b.key || undefined}
          className={[styles.box, b.gender === 'FEMALE' && styles.female, b.gender === 'MALE' && styles.male, b.labeled && styles.labeled, highlighted === b.key && styles.on]
            .filter(Boolean)
            .join(' ')}
          style={{ left: pct(b.box.x, width), top: pct(b.box.y, height), width: pct(b.box.w, width), height: pct(b.box.h, height) }}
          title={b.title ?? b.label}
        >
          <span className={`${styles.tag} ${b.box.y < height * 0.06 ? styles.below : ''}`}>{b.label}</span>
        </div>
      ))}
    </div>
  );
}
