import type { BulkResult, ReviewFace } from '@/lib/client/review';
import { FaceCrop } from './face-crop';

export type Outcome =
  | { kind: 'approve' | 'send-back'; result: BulkResult; faces: Record<string, ReviewFace>; note?: string }
  | { kind: 'error'; message: string; count: number; verb: string };

const DONE = { approve: 'approved', 'send-back': 'sent back to the queue' } as const;
const UNCHANGED = { approve: 'already reviewed', 'send-back': 'already in the queue' } as const;

/** What the last bulk action did: updated / unchanged / refused, each refusal with its face and reason. */
export function BulkResultPanel({ outcome, onDismiss }: { outcome: Outcome; onDismiss: () => void }) {
  if (outcome.kind === 'error') {
    return (
      <div className="review-result bad" role="alert" data-testid="bulk-result">
        <span>
          Could not {outcome.verb} {outcome.count} face{outcome.count === 1 ? '' : 's'}: {outcome.message}. Nothing was changed; the grid is restored.
        </span>
        <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss">×</button>
      </div>
    );
  }
  const { result, kind, faces } = outcome;
  return (
    <div className={`review-result${result.refused.length ? ' warn' : ''}`} role="status" data-testid="bulk-result">
      <span>
        <strong>{result.updated.length}</strong> {DONE[kind]}
        {result.unchanged.length > 0 && <> · {result.unchanged.length} {UNCHANGED[kind]}</>}
        {result.refused.length > 0 && <> · <strong className="error">{result.refused.length} refused</strong></>}
        {outcome.note && <span className="muted"> · note: “{outcome.note}”</span>}
      </span>
      <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss">×</button>
      {result.refused.length > 0 && (
        <ul className="review-refused">
          {result.refused.map((r) => (
            <li key={r.id} data-code={r.code}>
              {faces[r.id] && <FaceCrop face={faces[r.id]} size={32} />}
              <span>
                <b>{faces[r.id]?.image.sourceName ?? r.id}</b> — {r.message}
                {r.current && <span className="muted"> (now {r.current.status.toLowerCase()}, version {r.current.version})</span>}
              </span>
              <a href={`/annotate?face=${r.id}`}>open</a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
