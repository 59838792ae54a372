/**
 * The bench's fixed photo set: UTKFace test-split chips (labels in the names) pasted into larger
 * "photos" at seeded positions, plus multi-face composites. Falls back to tests/fixtures/faces.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { splitOf } from '../lib/domain/split';
import { parseUtkName } from '../lib/domain/utkface-name';

export type GtFace = { x: number; y: number; size: number; age: number; male: boolean };
/** `jpeg`: the photo as an upload would be (quality 90); both pipelines decode it in the same browser. */
export type BenchPhoto = { name: string; jpeg: Buffer; faces: GtFace[] };

const UTK = path.resolve('../shared/data/utkface');
const FIXTURES = path.resolve('tests/fixtures/faces');

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function labelled(dir: string): { file: string; age: number; male: boolean }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .flatMap((f) => {
      const p = parseUtkName(f);
      if (!p.ok || (p.value.gender !== 'MALE' && p.value.gender !== 'FEMALE')) return [];
      return [{ file: path.join(dir, f), age: p.value.age, male: p.value.gender === 'MALE' }];
    });
}

async function paste(width: number, height: number, faces: GtFace[], files: string[], background: string) {
  const layers = await Promise.all(faces.map(async (f, i) => ({ input: await sharp(files[i]).resize(f.size, f.size).toBuffer(), left: f.x, top: f.y })));
  return sharp({ create: { width, height, channels: 3, background } }).composite(layers).jpeg({ quality: 90 }).toBuffer();
}

export async function benchPhotos(singles: number, groups: number): Promise<{ source: string; photos: BenchPhoto[] }> {
  const fromUtk = existsSync(UTK);
  const pool = fromUtk ? labelled(UTK).filter((c) => splitOf(path.basename(c.file)) === 'test') : labelled(FIXTURES);
  const rand = rng(42);
  const pick = () => pool[Math.floor(rand() * pool.length)];
  const photos: BenchPhoto[] = [];
  const bg = () => `#${[0, 0, 0].map(() => Math.floor(60 + rand() * 140).toString(16).padStart(2, '0')).join('')}`;
  for (let i = 0; i < singles; i++) {
    const c = pick();
    const size = 160 + Math.floor(rand() * 80);
    const face = { x: Math.floor(rand() * (640 - size)), y: Math.floor(rand() * (480 - size)), size, age: c.age, male: c.male };
    photos.push({ name: `single-${i}`, jpeg: await paste(640, 480, [face], [c.file], bg()), faces: [face] });
  }
  for (let g = 0; g < groups; g++) {
    const cs = Array.from({ length: 8 }, pick);
    const faces = cs.map((c, i) => ({ x: 30 + (i % 4) * 310 + Math.floor(rand() * 40), y: 40 + Math.floor(i / 4) * 330 + Math.floor(rand() * 40), size: 150 + Math.floor(rand() * 60), age: c.age, male: c.male }));
    photos.push({ name: `group-${g}`, jpeg: await paste(1280, 720, faces, cs.map((c) => c.file), bg()), faces });
  }
  return { source: fromUtk ? `UTKFace test split (${pool.length} chips available)` : 'tests/fixtures/faces (../shared absent)', photos };
}

export type Found = { box: { x: number; y: number; w: number; h: number }; pMale: number; age: number };

/** Match each ground-truth face to the detection whose centre lies in its chip and overlaps it most. */
export function score(photos: BenchPhoto[], found: Found[][]) {
  let n = 0;
  let matched = 0;
  let absErr = 0;
  let correct = 0;
  photos.forEach((p, i) => {
    for (const gt of p.faces) {
      n++;
      const hits = found[i].filter((f) => {
        const cx = f.box.x + f.box.w / 2;
        const cy = f.box.y + f.box.h / 2;
        return cx > gt.x && cx < gt.x + gt.size && cy > gt.y && cy < gt.y + gt.size;
      });
      if (!hits.length) continue;
      const best = hits.sort((a, b) => Math.abs(a.box.w - gt.size) - Math.abs(b.box.w - gt.size))[0];
      matched++;
      absErr += Math.abs(best.age - gt.age);
      if (best.pMale >= 0.5 === gt.male) correct++;
    }
  });
  return { faces: n, recall: matched / n, mae: absErr / Math.max(1, matched), genderAcc: correct / Math.max(1, matched) };
}
