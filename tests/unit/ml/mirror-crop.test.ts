import { describe, expect, it } from 'vitest';
import { BACKBONES } from '@/lib/ml/backbones';
import { mirrorHwc, type PixelImage, preprocessFace } from '@/lib/ml/preprocess';

/** The trainer preprocesses each crop once and mirrors it for the flipped view: that must equal the flipped preprocessing exactly. */
describe('mirrorHwc', () => {
  const width = 61;
  const height = 47;
  const data = new Uint8Array(width * height * 3).map((_, i) => (i * 37 + (i >> 5) * 11) % 256);
  const image: PixelImage = { data, width, height, channels: 3 };

  for (const id of Object.keys(BACKBONES) as (keyof typeof BACKBONES)[]) {
    it(`equals preprocessFace(…, flip) bit for bit (${id}, box partly outside the image)`, () => {
      const spec = { ...BACKBONES[id].preprocess, cropMargin: 0.2 };
      const box = { x: 20.3, y: -4.5, width: 44, height: 39.7 };
      const plain = preprocessFace(image, box, spec, false);
      expect(Array.from(mirrorHwc(plain, spec.inputSize))).toEqual(Array.from(preprocessFace(image, box, spec, true)));
    });
  }
});
