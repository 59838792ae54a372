import type { PrelabelScope } from './types';

/**
 * A note in localStorage that a run is under way, so a reloaded page can offer "Continue". The
 * server's pending list decides what is left; the note only remembers the run's scope and size.
 */
export type SessionNote = { v: 1; model: string; scope: PrelabelScope; total: number; startedAt: string };

const KEY = 'facet.prelabel.run';

function isScope(s: unknown): s is PrelabelScope {
  const scope = s as PrelabelScope | null;
  if (scope?.kind === 'ids') return Array.isArray(scope.ids) && scope.ids.every((id) => typeof id === 'string');
  return scope?.kind === 'all' && (scope.datasetId === undefined || typeof scope.datasetId === 'string');
}

export function readNote(): SessionNote | null {
  try {
    const note = JSON.parse(localStorage.getItem(KEY) ?? 'null') as SessionNote | null;
    if (note?.v === 1 && typeof note.model === 'string' && typeof note.total === 'number' && isScope(note.scope)) return note;
  } catch {
    /* unreadable: treated as no note */
  }
  return null;
}

export function writeNote(note: SessionNote) {
  try {
    localStorage.setItem(KEY, JSON.stringify(note));
  } catch {
    /* storage full or disabled: the run still works, it just can't offer "Continue" after a reload */
  }
}

export function clearNote() {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* nothing to clear */
  }
}
