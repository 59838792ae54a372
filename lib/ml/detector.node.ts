/** Node side of the face detector: weights read from node_modules/@vladmandic/face-api/model (no network). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeWeightMap } from './backbones';
import { initWasmBackend, packageDir } from './backbones.node';
import { type FaceDetector, TINY_DETECTOR, createTinyDetector } from './detector';

export async function loadDetectorNode(dir = path.join(packageDir(TINY_DETECTOR.package), 'model')): Promise<FaceDetector> {
  await initWasmBackend();
  const manifest = JSON.parse(readFileSync(path.join(dir, TINY_DETECTOR.files.manifest), 'utf8')) as Parameters<typeof decodeWeightMap>[0];
  const shards = manifest.flatMap((g) => g.paths).map((p) => {
    const buf = readFileSync(path.join(dir, p));
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  });
  return createTinyDetector(decodeWeightMap(manifest, shards));
}
