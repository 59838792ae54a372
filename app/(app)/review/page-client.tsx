'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { type MouseEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { BulkResultPanel, type Outcome } from '@/components/review/bulk-result';
import { FilterBar, type Option } from '@/components/review/filter-bar';
import { ReviewTile } from '@/components/review/review-tile';
import { SendBackDialog } from '@/components/review/send-back-dialog';
import { apiFetch } from '@/lib/client/api';
import {
  type BulkResult,
  type ReviewFace,
  type ReviewFilters,
  type ReviewPage,
  PAGE_SIZES,
  filtersToApiQuery,
  filtersToSearch,
  parseFilters,
  rangeIds,
  withoutFaces,
} from '@/lib/client/review';

type Kind = 'approve' | 'send-back';
type Action = { kind: Kind; faces: ReviewFace[]; note?: string };
const EMPTY = new Set<string>();

export function ReviewPageClient({ datasets, annotators }: { datasets: Option[]; annotators: Option[] }) {
  const router = useRouter();
  const searchParams = useSearchParams();
  const queryClient = useQueryClient();
  const filters = useMemo(() => parseFilters(new URLSearchParams(searchParams.toString())), [searchParams]);
  const apiQuery = filtersToApiQuery(filters);
  const queryKey = useMemo(() => ['review', apiQuery], [apiQuery]);

  // Filters live in the URL: a reload or a shared link shows the same grid.
  const setFilters = useCallback(
    (patch: Partial<ReviewFilters>) => {
      const search = filtersToSearch({ ...filters, ...patch });
      window.history.replaceState(null, '', search ? `?${search}` : window.location.pathname);
    },
    [filters],
  );

  const list = useQuery({
    queryKey,
    queryFn: () => apiFetch<ReviewPage>(`/api/review?${apiQuery}`),
    placeholderData: keepPreviousData,
  });
  const faces = useMemo(() => list.data?.faces ?? [], [list.data]);
  const ids = useMemo(() => faces.map((f) => f.id), [faces]);
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / filters.pageSize));

  // Selection and keyboard focus belong to one grid (one query); another filter or page starts afresh.
  const [selection, setSelection] = useState<{ key: string; ids: Set<string> }>({ key: apiQuery, ids: new Set() });
  const selected = selection.key === apiQuery ? selection.ids : EMPTY;
  const setSelected = useCallback((update: (prev: Set<string>) => Set<string>) => {
    setSelection((s) => ({ key: apiQuery, ids: update(s.key === apiQuery ? s.ids : new Set()) }));
  }, [apiQuery]);
  const anchor = useRef<string | null>(null);
  const [focusId, setFocusId] = useState<string | null>(null);
  const lastFocusIndex = useRef(0);
  let focusIndex = focusId ? ids.indexOf(focusId) : -1;
  if (focusIndex < 0 && focusId && ids.length) focusIndex = Math.min(lastFocusIndex.current, ids.length - 1);
  const focused = focusIndex >= 0 ? faces[focusIndex] : undefined;
  const tiles = useRef(new Map<string, HTMLLIElement>());
  const tileRef = useCallback((id: string, el: HTMLLIElement | null) => {
    if (el) tiles.current.set(id, el);
    else tiles.current.delete(id);
  }, []);
  const selectedFaces = faces.filter((f) => selected.has(f.id));

  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [sendBackOf, setSendBackOf] = useState<ReviewFace[] | null>(null);

  const act = useMutation({
    mutationFn: ({ kind, faces: targets, note }: Action) =>
      apiFetch<BulkResult>(kind === 'approve' ? '/api/review/approve' : '/api/review/send-back', {
        method: 'POST',
        body: JSON.stringify({ faces: targets.map((f) => ({ id: f.id, version: f.version })), ...(note ? { note } : {}) }),
      }),
    // Optimistic: the faces leave the grid at once (or change status, if the filter shows the new one).
    onMutate: async ({ kind, faces: targets }) => {
      await queryClient.cancelQueries({ queryKey: ['review'] });
      const previous = queryClient.getQueryData<ReviewPage>(queryKey);
      const acted = new Set(targets.map((f) => f.id));
      if (previous) queryClient.setQueryData<ReviewPage>(queryKey, withoutFaces(previous, acted, kind === 'approve' ? 'REVIEWED' : 'PREDICTED', filters.status));
      setSelected((prev) => new Set([...prev].filter((id) => !acted.has(id))));
      return { previous, queryKey };
    },
    onError: (error, { kind, faces: targets }, context) => {
      if (context?.previous) queryClient.setQueryData(context.queryKey, context.previous);
      // The same faces stay selected, so one more key press retries.
      setSelected((prev) => new Set([...prev, ...targets.map((f) => f.id)]));
      setOutcome({ kind: 'error', message: error.message, count: targets.length, verb: kind === 'approve' ? 'approve' : 'send back' });
    },
    onSuccess: (result, { kind, faces: targets, note }) => {
      setOutcome({ kind, result, note, faces: Object.fromEntries(targets.map((f) => [f.id, f])) });
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['review'] });
      void queryClient.invalidateQueries({ queryKey: ['annotate-stats'] });
    },
  });

  const targets = useCallback(() => (selectedFaces.length ? selectedFaces : focused ? [focused] : []), [selectedFaces, focused]);
  const approve = useCallback(() => {
    const t = targets();
    if (t.length && !act.isPending) act.mutate({ kind: 'approve', faces: t });
  }, [targets, act]);
  const askSendBack = useCallback(() => {
    const t = targets();
    if (t.length && !act.isPending) setSendBackOf(t);
  }, [targets, act]);
  const open = useCallback((id: string) => router.push(`/annotate?face=${encodeURIComponent(id)}`), [router]);

  const moveFocus = useCallback(
    (index: number, extend: boolean) => {
      if (!ids.length) return;
      const next = Math.max(0, Math.min(ids.length - 1, index));
      const id = ids[next];
      lastFocusIndex.current = next;
      setFocusId(id);
      tiles.current.get(id)?.focus();
      if (extend) {
        const from = anchor.current ?? focused?.id ?? id;
        anchor.current = from;
        setSelected((prev) => new Set([...prev, ...rangeIds(ids, from, id)]));
      }
    },
    [ids, focused, setSelected],
  );

  const onPick = useCallback(
    (id: string, event: MouseEvent) => {
      const index = ids.indexOf(id);
      lastFocusIndex.current = index;
      setFocusId(id);
      if (event.shiftKey && anchor.current && ids.includes(anchor.current)) {
        const range = rangeIds(ids, anchor.current, id);
        setSelected((prev) => new Set([...prev, ...range]));
      } else {
        setSelected((prev) => {
          const next = new Set(prev);
          if (!next.delete(id)) next.add(id);
          return next;
        });
        anchor.current = id;
      }
    },
    [ids, setSelected],
  );

  /** Tiles per row, from the layout (the grid reflows with the window). */
  const columns = () => {
    const els = ids.map((id) => tiles.current.get(id)).filter((el): el is HTMLLIElement => !!el);
    if (!els.length) return 1;
    const top = els[0].offsetTop;
    return Math.max(1, els.findIndex((el) => el.offsetTop !== top) === -1 ? els.length : els.findIndex((el) => el.offsetTop !== top));
  };

  // Keyboard: anywhere on the page except in form fields and the dialog.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || sendBackOf) return;
      const target = e.target as HTMLElement;
      // Typing in a field is typing; a focused checkbox or button still lets the grid's keys work.
      const typing =
        !!target.closest('textarea, select, dialog, [contenteditable="true"]') ||
        (target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(target.type));
      if (typing) return;
      const onControl = !!target.closest('button, a, input');
      const at = focusIndex < 0 ? -1 : focusIndex;
      switch (e.key) {
        case 'ArrowRight':
        case 'ArrowLeft':
        case 'ArrowDown':
        case 'ArrowUp': {
          e.preventDefault();
          if (at < 0) return moveFocus(0, false);
          const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowDown' ? columns() : -columns();
          return moveFocus(at + step, e.shiftKey);
        }
        case 'Home':
        case 'End':
          e.preventDefault();
          return moveFocus(e.key === 'Home' ? 0 : ids.length - 1, e.shiftKey);
        case ' ':
          if (onControl || !focused) return;
          e.preventDefault();
          anchor.current = focused.id;
          return setSelected((prev) => {
            const next = new Set(prev);
            if (!next.delete(focused.id)) next.add(focused.id);
            return next;
          });
        case 'Enter':
          if (onControl || !focused) return;
          e.preventDefault();
          return open(focused.id);
        case 'a':
        case 'A':
          e.preventDefault();
          return approve();
        case 'b':
        case 'B':
          e.preventDefault();
          return askSendBack();
        case 'Escape':
          return setSelected(() => new Set());
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  // When the focused face leaves the grid (approved, sent back), the cursor stays at its place.
  useEffect(() => {
    if (!focusId || ids.includes(focusId) || !ids.length) return;
    const index = Math.min(lastFocusIndex.current, ids.length - 1);
    setFocusId(ids[index]);
    if (document.activeElement === document.body) tiles.current.get(ids[index])?.focus();
  }, [focusId, ids]);

  // After faces leave a last page, go to the page that now exists.
  useEffect(() => {
    if (list.data && !list.isPlaceholderData && list.data.faces.length === 0 && filters.page > pages) setFilters({ page: pages });
  }, [list.data, list.isPlaceholderData, filters.page, pages, setFilters]);

  // Annotator options: the server's list plus anyone seen in the results since.
  const annotatorOptions = useMemo(() => {
    const byId = new Map(annotators.map((a) => [a.id, a]));
    for (const f of faces) if (f.labeledBy && !byId.has(f.labeledBy.id)) byId.set(f.labeledBy.id, { id: f.labeledBy.id, label: f.labeledBy.email });
    return [...byId.values()];
  }, [annotators, faces]);

  const allSelected = faces.length > 0 && selectedFaces.length === faces.length;
  const selectAllRef = useCallback(
    (el: HTMLInputElement | null) => {
      if (el) el.indeterminate = selectedFaces.length > 0 && !allSelected;
    },
    [selectedFaces.length, allSelected],
  );
  const first = total === 0 ? 0 : (filters.page - 1) * filters.pageSize + 1;
  const last = Math.min(total, (filters.page - 1) * filters.pageSize + faces.length);

  const pager = (
    <div className="review-pager">
      <span className="muted" data-testid="review-range">
        {first}–{last} of <strong>{total}</strong>
      </span>
      <button type="button" className="secondary" disabled={filters.page <= 1} onClick={() => setFilters({ page: filters.page - 1 })} aria-label="Previous page">
        ‹
      </button>
      <span>
        page {filters.page} / {pages}
      </span>
      <button type="button" className="secondary" disabled={filters.page >= pages} onClick={() => setFilters({ page: filters.page + 1 })} aria-label="Next page">
        ›
      </button>
    </div>
  );

  return (
    <div className="review-page">
      <div className="review-head">
        <h1>Review</h1>
        <p className="muted small review-keys">
          <kbd>click</kbd> select · <kbd>shift</kbd>+click range · <kbd>←↑→↓</kbd> move · <kbd>space</kbd> toggle · <kbd>A</kbd> approve ·{' '}
          <kbd>B</kbd> send back · <kbd>enter</kbd> open in editor · <kbd>esc</kbd> clear
        </p>
      </div>
      <FilterBar filters={filters} datasets={datasets} annotators={annotatorOptions} onChange={setFilters} />

      <div className="review-toolbar" role="toolbar" aria-label="Selection">
        <label className="inline-check">
          <input
            type="checkbox"
            ref={selectAllRef}
            checked={allSelected}
            disabled={!faces.length}
            onChange={(e) => setSelected(() => new Set(e.target.checked ? ids : []))}
          />
          Select all on page
        </label>
        <span className="muted" data-testid="selected-count">{selectedFaces.length} selected</span>
        <button type="button" onClick={approve} disabled={act.isPending || !selectedFaces.length}>
          Approve{selectedFaces.length ? ` ${selectedFaces.length}` : ''} <kbd>A</kbd>
        </button>
        <button type="button" className="secondary danger" onClick={askSendBack} disabled={act.isPending || !selectedFaces.length}>
          Send back… <kbd>B</kbd>
        </button>
        {act.isPending && <span className="muted">saving…</span>}
        <span className="spacer" />
        {pager}
        <select aria-label="Page size" value={filters.pageSize} onChange={(e) => setFilters({ pageSize: Number(e.target.value), page: 1 })}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>{n} / page</option>
          ))}
        </select>
      </div>

      {outcome && <BulkResultPanel outcome={outcome} onDismiss={() => setOutcome(null)} />}
      {list.error && (
        <p className="error" role="alert">
          Could not load faces: {list.error.message}
        </p>
      )}
      {list.isPending ? (
        <p className="muted">Loading faces…</p>
      ) : faces.length === 0 ? (
        <p className="review-empty muted" data-testid="review-empty">
          {total === 0 ? 'No faces match these filters.' : 'Nothing on this page.'}
        </p>
      ) : (
        <ul
          className={`review-grid${list.isFetching && list.isPlaceholderData ? ' loading' : ''}`}
          role="listbox"
          aria-label="Faces to review"
          aria-multiselectable="true"
          data-testid="review-grid"
        >
          {faces.map((face, i) => (
            <ReviewTile
              key={face.id}
              face={face}
              selected={selected.has(face.id)}
              focused={i === focusIndex}
              tabbable={focusIndex < 0 ? i === 0 : i === focusIndex}
              onPick={onPick}
              onOpen={open}
              tileRef={tileRef}
            />
          ))}
        </ul>
      )}
      {pages > 1 && <div className="review-footer">{pager}</div>}

      {sendBackOf && (
        <SendBackDialog
          count={sendBackOf.length}
          onCancel={() => setSendBackOf(null)}
          onConfirm={(note) => {
            act.mutate({ kind: 'send-back', faces: sendBackOf, note: note || undefined });
            setSendBackOf(null);
          }}
        />
      )}
    </div>
  );
}
