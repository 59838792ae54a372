import { MAX_AGE } from './age-bins';
import type { Gender, Race } from './labels';

/**
 * UTKFace file names: `[age]_[gender]_[race]_[datetime].jpg` (the aligned set adds `.chip.jpg`).
 * gender 0 = male, 1 = female; race 0..4 = White, Black, Asian, Indian, Others.
 * The public set has quirks (missing race, 16/18-digit dates, a space or missing dot before
 * `jpg`): the parser reads what it can and lists what it had to forgive.
 */
export const UTK_RACES: readonly Race[] = ['WHITE', 'BLACK', 'ASIAN', 'INDIAN', 'OTHER'];
export const UTK_GENDERS: readonly Gender[] = ['MALE', 'FEMALE'];

export type UtkParsed = {
  age: number;
  gender: Gender;
  race: Race;
  /** The date/time field as written (digits only), or null where absent. */
  datetime: string | null;
  /** What was irregular but forgiven, e.g. 'missing race', 'datetime has 16 digits'. */
  quirks: string[];
};

export type UtkParseResult = { ok: true; value: UtkParsed } | { ok: false; reason: string };

const EXTENSION = /(\.jpg)?\.chip\.jpg$|\.(jpe?g|png)$|jpg(\.chip\.jpg)?$/i;

export function parseUtkName(fileName: string): UtkParseResult {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const quirks: string[] = [];
  const ext = base.match(EXTENSION);
  if (!ext) return { ok: false, reason: 'not a .jpg/.png file name' };
  let stem = base.slice(0, ext.index);
  if (ext[0].toLowerCase().startsWith('jpg')) quirks.push('no dot before jpg');
  if (stem !== stem.trimEnd()) {
    quirks.push('white space before extension');
    stem = stem.trimEnd();
  }
  const fields = stem.split('_');
  if (fields.length < 2 || fields.length > 4) return { ok: false, reason: 'expected age_gender_race_datetime' };
  if (!fields.every((f) => /^\d+$/.test(f))) return { ok: false, reason: 'fields must be digits' };

  const age = Number(fields[0]);
  if (age > MAX_AGE) return { ok: false, reason: `age ${age} out of range 0–${MAX_AGE}` };
  const gender = UTK_GENDERS[Number(fields[1])];
  if (fields[1].length !== 1 || !gender) return { ok: false, reason: `gender ${fields[1]} is not 0 or 1` };

  let race: Race = 'UNKNOWN';
  let datetime: string | null = null;
  if (fields.length === 4) {
    const r = UTK_RACES[Number(fields[2])];
    if (fields[2].length !== 1 || !r) return { ok: false, reason: `race ${fields[2]} is not 0–4` };
    race = r;
    datetime = fields[3];
  } else if (fields.length === 3) {
    // `age_gender_datetime` (race missing) vs `age_gender_race` (datetime missing).
    if (fields[2].length >= 8) {
      quirks.push('missing race');
      datetime = fields[2];
    } else {
      const r = UTK_RACES[Number(fields[2])];
      if (fields[2].length !== 1 || !r) return { ok: false, reason: `race ${fields[2]} is not 0–4` };
      race = r;
      quirks.push('missing datetime');
    }
  } else {
    quirks.push('missing race', 'missing datetime');
  }
  if (datetime !== null && datetime.length !== 17) quirks.push(`datetime has ${datetime.length} digits`);
  return { ok: true, value: { age, gender, race, datetime, quirks } };
}

/** Whether UTKFace's name can carry this face's labels (it has only two genders and five races). */
export function utkEncodable(gender: Gender, race: Race): boolean {
  return UTK_GENDERS.includes(gender) && UTK_RACES.includes(race);
}

/** `age_gender_race_datetime.jpg`; datetime is 17 digits (yyyyMMddHHmmssSSS). */
export function formatUtkName(age: number, gender: Gender, race: Race, date: Date | string): string {
  if (!utkEncodable(gender, race)) throw new RangeError(`UTKFace cannot encode ${gender}/${race}`);
  if (!Number.isInteger(age) || age < 0 || age > MAX_AGE) throw new RangeError(`bad age ${age}`);
  const stamp = typeof date === 'string' ? date : utkDatetime(date);
  return `${age}_${UTK_GENDERS.indexOf(gender)}_${UTK_RACES.indexOf(race)}_${stamp}.jpg`;
}

export function utkDatetime(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}${p(date.getUTCMilliseconds(), 3)}`
  );
}
