import { type MouseEvent, memo } from 'react';
import { binLabel } from '@/lib/domain/age-bins';
import { GENDER_LABEL, RACE_LABEL } from '@/lib/domain/labels';
import { personName, type ReviewFace } from '@/lib/client/review';
import { FaceCrop } from './face-crop';

const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const when = (d: Date) => `${day.format(d)} ${time.format(d)}`;

/**
 * One face of the review grid: the crop, the human label, the model's prediction below it (the
 * fields that disagree marked), who labeled it and when. An option of the grid's listbox.
 */
export const ReviewTile = memo(function ReviewTile({
  face,
  selected,
  focused,
  tabbable,
  onPick,
  onOpen,
  tileRef,
}: {
  face: ReviewFace;
  selected: boolean;
  focused: boolean;
  tabbable: boolean;
  onPick: (id: string, event: MouseEvent) => void;
  onOpen: (id: string) => void;
  tileRef: (id: string, el: HTMLLIElement | null) => void;
}) {
  const { labels: l, prediction: p, disagreement: d } = face;
  const hasPrediction = p.gender !== null || p.ageBin !== null;
  const disagrees = !!d && (d.gender || d.ageBin);
  const className = ['review-tile', selected && 'selected', focused && 'focused', disagrees && 'disagrees'].filter(Boolean).join(' ');
  const labeledAt = face.labeledAt ? new Date(face.labeledAt) : null;
  return (
    <li
      ref={(el) => tileRef(face.id, el)}
      role="option"
      aria-selected={selected}
      tabIndex={tabbable ? 0 : -1}
      className={className}
      data-face-id={face.id}
      data-status={face.status}
      onClick={(e) => onPick(face.id, e)}
      onDoubleClick={() => onOpen(face.id)}
      title={`${face.image.sourceName} · ${face.image.dataset.name}${face.uncertainty ? ` · queue priority ${face.uncertainty.toFixed(2)}` : ''}`}
    >
      <div className="review-tile-media">
        <FaceCrop face={face} />
        <span className="review-check" aria-hidden="true" />
        {face.status !== 'LABELED' && <span className={`review-status s-${face.status.toLowerCase()}`}>{face.status.toLowerCase()}</span>}
        {disagrees && <span className="review-differs" title="The label disagrees with the model's prediction">≠ model</span>}
        <a
          className="review-open"
          href={`/annotate?face=${face.id}`}
          onClick={(e) => e.stopPropagation()}
          tabIndex={-1}
          title="Open in the editor (Enter)"
          aria-label="Open in the editor"
        >
          ↗
        </a>
      </div>
      <div className="review-label" data-testid="human-label">
        <b>{l.gender ? GENDER_LABEL[l.gender] : '–'}</b>
        <b>{l.age ?? '–'}</b>
        <span className="muted">{l.race ? RACE_LABEL[l.race] : ''}</span>
      </div>
      <div className="review-pred" data-testid="prediction">
        <span className="muted">model</span>
        {hasPrediction ? (
          <>
            <span className={d?.gender ? 'diff' : ''}>{p.gender ? GENDER_LABEL[p.gender] : '–'}</span>
            <span className={d?.ageBin ? 'diff' : ''} title={p.age !== null ? `predicted ${p.age.toFixed(1)}` : undefined}>
              {p.ageBin !== null ? binLabel(p.ageBin) : '–'}
            </span>
          </>
        ) : (
          <span className="muted">none</span>
        )}
      </div>
      <div className="review-meta muted" title={face.labeledBy?.email}>
        <span className="who">{personName(face.labeledBy)}</span>
        <span>{labeledAt ? when(labeledAt) : ''}</span>
      </div>
    </li>
  );
});
