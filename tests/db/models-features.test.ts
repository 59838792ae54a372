import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layoutOf } from '@/workers/trainer/dataset';
import { ensureFaceFeatures, faceFeatureKey, faceFeatureRoot } from '@/workers/trainer/face-features';
import { VARIANTS } from '@/workers/trainer/variants';

const DIR = path.resolve('tests/fixtures/faces');
const files = readdirSync(DIR).filter((f) => f.endsWith('.jpg')).sort().slice(0, 4);
const faces = files.map((f) => {
  const data = readFileSync(path.join(DIR, f));
  const box = { x: 0, y: 0, w: 200, h: 200 };
  return { key: faceFeatureKey(createHash('sha256').update(data).digest('hex'), box), imageKey: f, box: { x: 0, y: 0, width: 200, height: 200 } };
});
const root = faceFeatureRoot(mkdtempSync(path.join(os.tmpdir(), 'facet-features-')));
const opts = { layout: layoutOf(VARIANTS.r0.features), cropMargin: 0, root, loadImage: async (f: string) => readFileSync(path.join(DIR, f)) };
const firstRow = async () => {
  const { caches } = await ensureFaceFeatures(faces, opts);
  return Array.from(caches.plain.get('faceapi-agegender')!.row(faces[0].key, 'gap'));
};

describe('face feature cache', () => {
  it('extracts once, then serves from cache; a new box is a new key', async () => {
    expect((await ensureFaceFeatures(faces, opts)).extracted).toBe(4);
    expect((await ensureFaceFeatures(faces, opts)).extracted).toBe(0);
    const moved = { ...faces[0], key: faceFeatureKey('x', { x: 10, y: 10, w: 150, h: 150 }), box: { x: 10, y: 10, width: 150, height: 150 } };
    expect((await ensureFaceFeatures([...faces, moved], opts)).extracted).toBe(1);
  }, 120_000);

  it('rebuilds a cache holding non-finite values, or one whose metadata is unreadable', async () => {
    const reference = await firstRow();
    const dir = path.join(root, 'faceapi-agegender', readdirSync(path.join(root, 'faceapi-agegender')).find((d) => !d.includes('flip'))!);
    const gap = readFileSync(path.join(dir, 'gap.f32'));
    new Float32Array(gap.buffer, gap.byteOffset, 8).fill(Number.NaN);
    writeFileSync(path.join(dir, 'gap.f32'), gap);
    const rebuilt = await ensureFaceFeatures(faces, opts);
    expect(rebuilt.extracted).toBe(4);
    const row = await firstRow();
    expect(row.every(Number.isFinite)).toBe(true);
    row.forEach((v, i) => expect(v).toBeCloseTo(reference[i], 4));

    writeFileSync(path.join(dir, 'meta.json'), '{ not json');
    expect((await ensureFaceFeatures(faces, opts)).extracted).toBe(4);
  }, 120_000);
});
