import { splitOf } from '@/lib/domain/split';

/** One exported face as the manifest records it: everything Facet knows, UTKFace-encodable or not. */
export type ManifestFace = {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  boxSource: string;
  gender: string | null;
  age: number | null;
  ageBin: number | null;
  race: string | null;
  status: string;
  labeledAt: Date | null;
  reviewedAt: Date | null;
  predModel: string | null;
  predGender: string | null;
  predGenderConf: number | null;
  predAge: number | null;
  predAgeBin: number | null;
  predRace: string | null;
  uncertainty: number;
  labeledBy: { email: string } | null;
  reviewedBy: { email: string } | null;
  image: { id: string; contentHash: string; width: number; height: number; sourceName: string; dataset: { name: string } };
};

const COLUMNS: [string, (f: ManifestFace, file: string | null, seed: string, excluded: string | null) => unknown][] = [
  ['file', (_f, file) => file ?? ''],
  ['excluded_reason', (_f, _file, _s, excluded) => excluded ?? ''],
  ['split', (f, _file, seed) => splitOf(f.image.contentHash, seed)],
  ['face_id', (f) => f.id],
  ['image_id', (f) => f.image.id],
  ['image_sha256', (f) => f.image.contentHash],
  ['source_name', (f) => f.image.sourceName],
  ['dataset', (f) => f.image.dataset.name],
  ['image_width', (f) => f.image.width],
  ['image_height', (f) => f.image.height],
  ['box_x', (f) => f.x],
  ['box_y', (f) => f.y],
  ['box_w', (f) => f.w],
  ['box_h', (f) => f.h],
  ['box_source', (f) => f.boxSource],
  ['gender', (f) => f.gender],
  ['age', (f) => f.age],
  ['age_bin', (f) => f.ageBin],
  ['race', (f) => f.race],
  ['status', (f) => f.status],
  ['labeled_by', (f) => f.labeledBy?.email ?? null],
  ['labeled_at', (f) => f.labeledAt],
  ['reviewed_by', (f) => f.reviewedBy?.email ?? null],
  ['reviewed_at', (f) => f.reviewedAt],
  ['pred_model', (f) => f.predModel],
  ['pred_gender', (f) => f.predGender],
  ['pred_gender_conf', (f) => f.predGenderConf],
  ['pred_age', (f) => f.predAge],
  ['pred_age_bin', (f) => f.predAgeBin],
  ['pred_race', (f) => f.predRace],
  ['uncertainty', (f) => f.uncertainty],
];

export const MANIFEST_HEADER = COLUMNS.map(([name]) => name);

export function manifestValues(face: ManifestFace, file: string | null, seed: string, excluded: string | null): unknown[] {
  return COLUMNS.map(([, get]) => get(face, file, seed, excluded));
}

export function manifestObject(face: ManifestFace, file: string | null, seed: string, excluded: string | null) {
  const values = manifestValues(face, file, seed, excluded);
  return Object.fromEntries(MANIFEST_HEADER.map((name, i) => [name, values[i] instanceof Date ? (values[i] as Date).toISOString() : values[i]]));
}
