import { ageToBin } from '@/lib/domain/age-bins';
import type { Gender, Race } from '@/lib/domain/labels';
import { parseUtkName } from '@/lib/domain/utkface-name';

export type UtkLabels = { age: number; ageBin: number; gender: Gender; race: Race };

/**
 * What a UTKFace import does with a file, judged from its name alone:
 * - labeled: a UTKFace name (quirks forgiven and listed) → image + IMPORTED face;
 * - rejected: UTKFace-shaped but a field is out of range (age 300, gender 2, race 9, a negative
 *   number) → nothing stored, the reason reported;
 * - unlabeled: not a UTKFace name at all → the image is stored without a face and reported.
 */
export type NameVerdict =
  | { kind: 'labeled'; labels: UtkLabels; quirks: string[] }
  | { kind: 'rejected'; reason: string }
  | { kind: 'unlabeled'; reason: string };

const RANGE_REASON = /^(age|gender|race) /;
/** age_gender[_race][_datetime] where some of the first three fields carry a minus sign. */
const SIGNED_SHAPE = /^(-?\d+)_(-?\d+)(?:_(-?\d+))?(?:_\d+)?\s*(?:\.?jpe?g|\.png)/i;

function lastSegment(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

function negativeFieldReason(base: string): string | null {
  const m = SIGNED_SHAPE.exec(base);
  if (!m || !base.includes('-')) return null;
  const [, age = '', gender = '', race] = m;
  if (age.startsWith('-')) return `age ${age} is negative`;
  if (gender.startsWith('-')) return `gender ${gender} is not 0 or 1`;
  if (race?.startsWith('-')) return `race ${race} is not 0–4`;
  return null;
}

export function classifyUtkName(name: string): NameVerdict {
  const base = lastSegment(name);
  const parsed = parseUtkName(base);
  if (parsed.ok) {
    const { age, gender, race, quirks } = parsed.value;
    const explained = quirks.map((q) => (q === 'missing race' ? 'missing race (imported as race unknown)' : q));
    return { kind: 'labeled', labels: { age, ageBin: ageToBin(age), gender, race }, quirks: explained };
  }
  if (RANGE_REASON.test(parsed.reason)) return { kind: 'rejected', reason: parsed.reason };
  const negative = negativeFieldReason(base);
  if (negative) return { kind: 'rejected', reason: negative };
  return { kind: 'unlabeled', reason: `not a UTKFace name (${parsed.reason}); stored without labels` };
}

/** Operating-system clutter that an import skips silently: dot files, __MACOSX/, Thumbs.db, desktop.ini. */
export function isClutter(name: string): boolean {
  const segments = name.split(/[\\/]/);
  if (segments.includes('__MACOSX')) return true;
  const base = segments[segments.length - 1] ?? '';
  return base.startsWith('.') || ['thumbs.db', 'desktop.ini'].includes(base.toLowerCase());
}
