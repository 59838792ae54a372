import { AGE_BIN_COUNT, binLabel } from '@/lib/domain/age-bins';
import { type FaceStatus, type Gender, GENDER_LABEL, GENDERS } from '@/lib/domain/labels';
import { DEFAULT_FILTERS, type ReviewFilters } from '@/lib/client/review';

export type Option = { id: string; label: string };

/** Statuses a curator reviews (PREDICTED faces are the queue's, not the grid's). */
const REVIEW_STATUSES: FaceStatus[] = ['LABELED', 'REVIEWED', 'SKIPPED', 'IMPORTED'];

/** The review grid's filters; every change goes to the URL (page back to 1). */
export function FilterBar({
  filters,
  datasets,
  annotators,
  onChange,
}: {
  filters: ReviewFilters;
  datasets: Option[];
  annotators: Option[];
  onChange: (patch: Partial<ReviewFilters>) => void;
}) {
  const set = (patch: Partial<ReviewFilters>) => onChange({ ...patch, page: 1 });
  const toggleStatus = (s: FaceStatus, on: boolean) => {
    const next = REVIEW_STATUSES.filter((x) => (x === s ? on : filters.status.includes(x)));
    if (next.length) set({ status: next });
  };
  const isDefault =
    filters.status.join() === DEFAULT_FILTERS.status.join() &&
    !filters.datasetId &&
    !filters.annotatorId &&
    !filters.from &&
    !filters.to &&
    !filters.disagreement &&
    !filters.gender &&
    filters.ageBin === null;

  return (
    <form className="review-filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <fieldset className="review-statuses" aria-label="Status">
        {REVIEW_STATUSES.map((s) => (
          <label key={s} className={`chip${filters.status.includes(s) ? ' on' : ''}`}>
            <input type="checkbox" checked={filters.status.includes(s)} onChange={(e) => toggleStatus(s, e.target.checked)} />
            {s.toLowerCase()}
          </label>
        ))}
      </fieldset>
      <select aria-label="Dataset" value={filters.datasetId} onChange={(e) => set({ datasetId: e.target.value })}>
        <option value="">all datasets</option>
        {datasets.map((d) => (
          <option key={d.id} value={d.id}>{d.label}</option>
        ))}
      </select>
      <select aria-label="Annotator" value={filters.annotatorId} onChange={(e) => set({ annotatorId: e.target.value })}>
        <option value="">all annotators</option>
        {annotators.map((a) => (
          <option key={a.id} value={a.id}>{a.label}</option>
        ))}
      </select>
      <label className="review-date">
        labeled from
        <input type="date" aria-label="Labeled from" value={filters.from} max={filters.to || undefined} onChange={(e) => set({ from: e.target.value })} />
      </label>
      <label className="review-date">
        to
        <input type="date" aria-label="Labeled to" value={filters.to} min={filters.from || undefined} onChange={(e) => set({ to: e.target.value })} />
      </label>
      <select aria-label="Gender" value={filters.gender} onChange={(e) => set({ gender: e.target.value as Gender | '' })}>
        <option value="">any gender</option>
        {GENDERS.map((g) => (
          <option key={g} value={g}>{GENDER_LABEL[g]}</option>
        ))}
      </select>
      <select
        aria-label="Age bin"
        value={filters.ageBin ?? ''}
        onChange={(e) => set({ ageBin: e.target.value === '' ? null : Number(e.target.value) })}
      >
        <option value="">any age</option>
        {Array.from({ length: AGE_BIN_COUNT }, (_, b) => (
          <option key={b} value={b}>age {binLabel(b)}</option>
        ))}
      </select>
      <label className={`chip${filters.disagreement ? ' on warn' : ''}`}>
        <input type="checkbox" checked={filters.disagreement} onChange={(e) => set({ disagreement: e.target.checked })} />
        disagrees with the model
      </label>
      {!isDefault && (
        <button type="button" className="link" onClick={() => onChange({ ...DEFAULT_FILTERS, pageSize: filters.pageSize })}>
          Clear filters
        </button>
      )}
    </form>
  );
}
