/**
 * The UTKFace aligned-crop set as labelled records, with Facet's deterministic split by file name.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SPLIT_SEED, type Split, splitOf } from '../../lib/domain/split';
import { parseUtkName } from '../../lib/domain/utkface-name';
import type { Gender, Race } from '../../lib/domain/labels';

export type FaceRecord = {
  /** Stable key (here the UTKFace file name); also the feature-cache key. */
  key: string;
  file: string;
  age: number;
  /** 0 = male, 1 = female, null = unknown (masked out of the gender loss). */
  gender: 0 | 1 | null;
  race: Race;
  split: Split;
};

/** ../shared/data/utkface beside the checkout (override with UTKFACE_DIR). */
export function defaultUtkFaceDir(root = process.cwd()): string {
  return process.env.UTKFACE_DIR ?? path.resolve(root, '..', 'shared', 'data', 'utkface');
}

export class DatasetMissingError extends Error {}

export function genderIndex(gender: Gender): 0 | 1 | null {
  return gender === 'MALE' ? 0 : gender === 'FEMALE' ? 1 : null;
}

export function loadUtkFace(dir = defaultUtkFaceDir(), seed = DEFAULT_SPLIT_SEED): FaceRecord[] {
  if (!existsSync(dir)) {
    throw new DatasetMissingError(
      `UTKFace not found at ${dir}. It lives in ../shared/data/utkface beside the checkout ` +
        '(or set UTKFACE_DIR); it is never copied into the repository.',
    );
  }
  const records: FaceRecord[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!/jpg$/i.test(name)) continue;
    const parsed = parseUtkName(name);
    if (!parsed.ok) continue;
    const { age, gender, race } = parsed.value;
    records.push({ key: name, file: path.join(dir, name), age, gender: genderIndex(gender), race, split: splitOf(name, seed) });
  }
  if (records.length === 0) throw new DatasetMissingError(`no UTKFace images in ${dir}`);
  return records;
}

/** For command-line entry points: the records, or the reason they are missing on stderr and exit code 2. */
export function loadUtkFaceOrExit(what: string): FaceRecord[] {
  try {
    return loadUtkFace();
  } catch (err) {
    if (!(err instanceof DatasetMissingError)) throw err;
    console.error(`${what}: ${err.message}`);
    process.exit(2);
  }
}

export function splitCounts(records: FaceRecord[]): Record<Split, number> {
  const counts = { train: 0, val: 0, test: 0 };
  for (const r of records) counts[r.split]++;
  return counts;
}
