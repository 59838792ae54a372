/**
 * Writes the settings page's self-test images (public/ml-samples/) from tests/fixtures/faces:
 * UTKFace chips placed into larger "photos". Re-run after changing the fixtures.
 * Usage: npx tsx bench/make-ml-samples.ts
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const FIXTURES = path.resolve('tests/fixtures/faces');
const OUT = path.resolve('public/ml-samples');

/** A photo of `w`×`h` with chips (resized to `size`) at the given positions. */
export async function composite(chips: string[], w: number, h: number, places: { x: number; y: number; size: number }[], background = '#8a8f98') {
  const layers = await Promise.all(
    places.map(async (p, i) => ({ input: await sharp(chips[i % chips.length]).resize(p.size, p.size).toBuffer(), left: p.x, top: p.y })),
  );
  return sharp({ create: { width: w, height: h, channels: 3, background } }).composite(layers);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const chips = readdirSync(FIXTURES).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(FIXTURES, f));
  const single = await composite([chips[5]], 640, 480, [{ x: 220, y: 120, size: 200 }]);
  writeFileSync(path.join(OUT, 'single.jpg'), await single.jpeg({ quality: 90 }).toBuffer());
  const group = await composite(chips, 1280, 720, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ x: 40 + (i % 4) * 310, y: 60 + Math.floor(i / 4) * 330, size: 120 + (i % 3) * 50 })));
  writeFileSync(path.join(OUT, 'group.jpg'), await group.jpeg({ quality: 90 }).toBuffer());
  const gray = await composite([chips[8]], 480, 480, [{ x: 120, y: 120, size: 220 }]);
  writeFileSync(path.join(OUT, 'gray.jpg'), await gray.grayscale().jpeg({ quality: 90 }).toBuffer());
  const chip = await sharp(chips[2]).resize(200, 200).ensureAlpha().raw().toBuffer();
  const alpha = sharp({ create: { width: 440, height: 400, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).composite([
    { input: chip, raw: { width: 200, height: 200, channels: 4 }, left: 120, top: 100 },
  ]);
  writeFileSync(path.join(OUT, 'alpha.png'), await alpha.png().toBuffer());
  writeFileSync(
    path.join(OUT, 'README.md'),
    '# Self-test images\n\nMade by `bench/make-ml-samples.ts` from the UTKFace crops in tests/fixtures/faces (UTKFace: ' +
      'non-commercial research use only; see tests/fixtures/README.md). Used by the Browser ML settings page self-test.\n',
  );
  console.log('wrote', readdirSync(OUT).join(', '));
}
if (require.main === module) main();
