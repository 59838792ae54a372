'use client';

import type { SaveEntry } from './use-saves';

const STATE_TEXT = { saving: 'saving…', retrying: 'retrying', saved: 'saved ✓' } as const;

/** The last few saves: shown as done the moment Enter is pressed, then confirmed (or rolled back). */
export function RecentSaves({ entries, onOpen }: { entries: SaveEntry[]; onOpen(faceId: string): void }) {
  if (entries.length === 0) return null;
  return (
    <section className="recent-saves" aria-label="Recent saves">
      <h3 className="small muted">Recent</h3>
      <ul data-testid="recent-saves">
        {entries.map((e) => (
          <li key={e.requestId} data-face-id={e.faceId} data-state={e.state}>
            <button type="button" className="link" onClick={(ev) => (ev.currentTarget.blur(), onOpen(e.faceId))} title="Open in the editor">
              {e.summary}
            </button>{' '}
            <span className={e.state === 'saved' ? 'muted small' : 'small'}>
              {STATE_TEXT[e.state]}
              {e.state === 'retrying' && e.attempt ? ` (${e.attempt})` : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
