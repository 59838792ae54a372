import { AGE_BIN_CENTERS, AGE_BIN_COUNT, AGE_BIN_EDGES, MAX_AGE, ageToBin } from '@/lib/domain/age-bins';
import type { Gender, Race } from '@/lib/domain/labels';
import { badRequest } from '@/lib/server/http/errors';

type Prediction = { predGender: Gender | null; predAge: number | null; predAgeBin: number | null; predRace: Race | null };

/**
 * The labels "accept" stores: the predicted gender, the predicted age rounded to whole years and
 * kept inside the predicted (argmax) bin — so an accepted face always agrees with the model on
 * gender and age bin — and the predicted race (or the face's current race when none was predicted).
 */
export function acceptedLabels(p: Prediction, currentRace: Race | null) {
  const bin = p.predAgeBin !== null && Number.isInteger(p.predAgeBin) && p.predAgeBin >= 0 && p.predAgeBin < AGE_BIN_COUNT ? p.predAgeBin : null;
  const predAge = p.predAge !== null && Number.isFinite(p.predAge) ? Math.min(MAX_AGE, Math.max(0, p.predAge)) : null;
  if (!p.predGender || (bin === null && predAge === null)) {
    throw badRequest('This face has no model prediction to accept; label it instead.', { code: 'NO_PREDICTION' });
  }
  const theBin = bin ?? ageToBin(Math.round(predAge!));
  const lo = AGE_BIN_EDGES[theBin];
  const hi = theBin + 1 < AGE_BIN_COUNT ? AGE_BIN_EDGES[theBin + 1] - 1 : MAX_AGE;
  const age = Math.min(hi, Math.max(lo, Math.round(predAge ?? AGE_BIN_CENTERS[theBin])));
  return { gender: p.predGender, age, ageBin: ageToBin(age), race: p.predRace ?? currentRace };
}
