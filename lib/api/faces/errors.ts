import { HttpError } from '@/lib/server/http/errors';

/** The face (or its image) was deleted — by a curator, or by someone removing the box — meanwhile. */
export const faceGone = () =>
  new HttpError(
    410,
    'GONE',
    'This face no longer exists: its image was deleted or the face was removed while you were working on it. Nothing was saved.',
  );

export const imageGone = () =>
  new HttpError(410, 'GONE', 'This image no longer exists (it was deleted). Nothing was saved.');

/** Thrown inside a transaction when the compare-and-set on `version` fails; turned into a 409 outside. */
export class StaleVersion extends Error {
  constructor(readonly faceId: string) {
    super('stale version');
  }
}

export { isUniqueViolation } from '@/lib/server/db/raw';
