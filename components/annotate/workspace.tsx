'use client';

import dynamic from 'next/dynamic';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import { type ApiError, type EditorFace, type EditorView, annotateApi, newRequestId } from '@/lib/client/annotate-api';
import { AGE_BIN_CENTERS, AGE_BIN_COUNT, MAX_AGE, ageToBin, isValidAge } from '@/lib/domain/age-bins';
import type { Box } from '@/lib/domain/box';
import { GENDER_LABEL, GENDERS, RACES } from '@/lib/domain/labels';
import { type Draft, editorReducer, initialEditor, isDirty } from './editor-state';
import { LabelPanel } from './label-panel';
import { RecentSaves } from './recent-saves';
import { SHORTCUTS, ShortcutsOverlay } from './shortcuts';
import { type SaveJob, useSaves } from './use-saves';

const FaceCanvas = dynamic(() => import('./face-canvas').then((m) => m.FaceCanvas), { ssr: false });

type Status = { kind: 'idle' | 'loading' | 'empty' } | { kind: 'error'; message: string };
type Conflict = { current: NonNullable<ApiError['details']>['current']; mine: Draft; action: SaveJob['action'] };
type Parked = { view: EditorView; draft: Draft };

/** Keys typed while the next face is on its way wait here (a fast annotator types ahead). */
const TYPE_AHEAD_MAX = 20;

/** Renew a lease three times per lease length (at most every minute, at least every second). */
const renewEvery = (expiresAt: string) => Math.min(60_000, Math.max(1000, (Date.parse(expiresAt) - Date.now()) / 3));

/**
 * The annotation workspace: one face at a time from the leased queue (or ?face=<id>), the whole
 * photo on a Konva canvas, labels in a panel, everything on the keyboard.
 *
 * Saves are optimistic (useSaves): Enter lists the save under "Recent" and asks for the next face at
 * once, telling the server which faces are still saving so it never serves them again. A save that
 * fails is rolled back: the face returns to the editor with the annotator's change (a 409 with the
 * other person's change beside it), and whatever face was on screen is parked and comes back next.
 */
export function Workspace({ initialFaceId }: { initialFaceId: string | null }) {
  const router = useRouter();
  const [view, setView] = useState<EditorView | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  const [remaining, setRemaining] = useState<number | null>(null);
  const [editor, dispatch] = useReducer(editorReducer, initialEditor);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [ui, setUi] = useState({ draw: false, hide: false, boxMode: false, panning: false, help: false, fit: 0 });
  const [done, setDone] = useState(0);
  const [, setTick] = useState(0);
  const [shown, setShown] = useState(0);
  /** nav.current when show() last ran: a load started since then keeps the keys queued. */
  const shownAt = useRef(0);
  const ageInput = useRef<HTMLInputElement>(null);
  const ageTyping = useRef<{ text: string; at: number }>({ text: '', at: 0 });
  const nav = useRef(0); // bumped by every navigation: a late answer to an older one is parked, not shown
  const busy = useRef(true); // the next face is on its way
  const typeAhead = useRef<KeyboardEventInit[]>([]);
  const parked = useRef<Parked[]>([]);
  /** Faces saved (or being saved) in this tab: a late or parked copy of one is never shown again. */
  const submitted = useRef(new Set<string>());
  const deleting = useRef(false);
  const current = useRef<{ view: EditorView | null; draft: Draft }>({ view: null, draft: {} });

  const face = view?.face ?? null;
  const draft = editor.draft;
  current.current = { view, draft };
  const value = {
    gender: draft.gender ?? face?.labels.gender ?? face?.prediction?.gender ?? null,
    age: draft.age ?? face?.labels.age ?? (face?.prediction?.age != null ? Math.round(face.prediction.age) : null),
    race: draft.race !== undefined ? draft.race : (face?.labels.race ?? face?.prediction?.race ?? null),
  };
  const box = draft.box ?? face?.box ?? null;

  const show = useCallback((next: EditorView | null, left?: number, restore: Draft = {}) => {
    nav.current++;
    // The server resumes a face the user still holds, so a face can come back while a copy is parked.
    if (next) parked.current = parked.current.filter((p) => p.view.face.id !== next.face.id);
    // Keys stay queued until the keyboard handler is bound to `next` (the effect after it clears this):
    // a key arriving before that render would reach the handler of the face before.
    busy.current = true;
    shownAt.current = nav.current;
    setShown((n) => n + 1);
    dispatch(isDirty(restore) ? { type: 'restore', draft: restore } : { type: 'reset' });
    setConflict(null);
    setView(next);
    if (left !== undefined) setRemaining(left);
    if (!next) typeAhead.current = [];
    setUi((u) => ({ ...u, draw: false, boxMode: false, fit: u.fit + 1 }));
    setStatus(next ? { kind: 'idle' } : { kind: 'empty' });
  }, []);

  /** Keeps the face on screen (with its unsaved change) to come back to after the one about to be shown. */
  const park = useCallback(() => {
    const { view: v, draft: d } = current.current;
    if (v?.face.lease?.mine && !parked.current.some((p) => p.view.face.id === v.face.id)) parked.current.unshift({ view: v, draft: d });
  }, []);

  const onFailed = useCallback(
    (job: SaveJob, error: ApiError) => {
      submitted.current.delete(job.faceId);
      if (error.status === 410) {
        setNotice(error.message);
        return;
      }
      if (current.current.view?.face.id !== job.faceId) park();
      show(job.view, undefined, job.draft);
      if (error.status === 409 && error.details?.current) setConflict({ current: error.details.current, mine: job.draft, action: job.action });
      else setStatus({ kind: 'error', message: `${error.message} Your change is back here: press Enter to save it again.` });
    },
    [park, show],
  );

  const onSaved = useCallback((job: SaveJob, saved: EditorFace) => {
    setDone((n) => n + 1);
    // Still on screen (the next face has not come): show the stored state, so Enter moves on.
    setView((v) => (v && v.face.id === job.faceId ? { ...v, face: { ...v.face, ...saved, why: v.face.why } } : v));
  }, []);

  const saves = useSaves(onFailed, onSaved);

  const loadNext = useCallback(async () => {
    parked.current = parked.current.filter((p) => !submitted.current.has(p.view.face.id));
    const back = parked.current.shift();
    if (back) return show(back.view, undefined, back.draft);
    const seq = ++nav.current;
    busy.current = true;
    setStatus({ kind: 'loading' });
    try {
      const next = await annotateApi.next(saves.pending());
      if (seq !== nav.current) {
        const late = next.face ? (next as EditorView) : null;
        const known = late && (submitted.current.has(late.face.id) || current.current.view?.face.id === late.face.id || parked.current.some((p) => p.view.face.id === late.face.id));
        if (late && !known) parked.current.push({ view: late, draft: {} });
        return;
      }
      if (next.face === null) show(null, next.remaining);
      else show(next as EditorView, next.remaining);
      if (initialFaceId) router.replace('/annotate');
    } catch (error) {
      if (seq !== nav.current) return;
      busy.current = false;
      setStatus({ kind: 'error', message: `${(error as Error).message} Press Enter to try again.` });
    }
  }, [initialFaceId, router, saves, show]);

  const open = useCallback(
    async (id: string) => {
      if (current.current.view?.face.id === id) return;
      park();
      const seq = ++nav.current;
      busy.current = true;
      setStatus({ kind: 'loading' });
      try {
        const opened = await annotateApi.get(id);
        if (seq === nav.current) show(opened);
      } catch (error) {
        if (seq !== nav.current) return;
        busy.current = false;
        setStatus({ kind: 'error', message: (error as Error).message });
      }
    },
    [park, show],
  );

  useEffect(() => {
    if (initialFaceId) void open(initialFaceId);
    else void loadNext();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Back online after a failed fetch of the next face: fetch it again.
  useEffect(() => {
    function online() {
      if (!busy.current && status.kind === 'error') void loadNext();
    }
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [loadNext, status.kind]);

  // Keep the lease while the face is open; a lost lease means someone else has it now.
  const leaseExpiresAt = face?.lease?.mine ? face.lease.expiresAt : null;
  useEffect(() => {
    if (!face || !leaseExpiresAt) return;
    const id = face.id;
    const timer = setInterval(() => {
      if (busy.current || saves.saving(id)) return;
      annotateApi.renew(id).catch((error: ApiError) => {
        if (current.current.view?.face.id !== id) return;
        if (error.code === 'LEASE_LOST' || error.status === 410) {
          setNotice('Your hold on this face ran out and it went to someone else (or it was saved or deleted meanwhile); here is the next one.');
          void loadNext();
        }
      });
    }, renewEvery(leaseExpiresAt));
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [face?.id, leaseExpiresAt, loadNext]);

  const edit = useCallback((patch: Draft) => {
    dispatch({ type: 'edit', patch });
    setStatus((s) => (s.kind === 'error' ? { kind: 'idle' } : s)); // the annotator is fixing it
  }, []);

  const save = useCallback(
    (action: SaveJob['action'], version = face?.version, mine: Draft = draft) => {
      if (!view || !face || !version) return;
      if (saves.saving(face.id)) {
        // A double submit (key repeat, second click) of a face still saving; or its save is under way
        // but the next face could not be fetched: fetch it again.
        if (!busy.current) void loadNext();
        return;
      }
      const untouched = !isDirty(mine);
      if (action === 'label' && untouched && face.status !== 'PREDICTED') return void loadNext();
      const gender = mine.gender ?? value.gender;
      const age = mine.age ?? value.age;
      if (action !== 'skip' && age !== null && !isValidAge(age)) {
        setStatus({ kind: 'error', message: `An age of ${age} is not possible: type a whole number of years from 0 to ${MAX_AGE}.` });
        return;
      }
      const effective = action === 'label' && untouched && face.prediction ? 'accept' : action;
      if (effective === 'label' && (gender === null || age === null)) {
        // A face nobody predicted (drawn by hand, or the model gave no value): the server would refuse it.
        const missing = [gender === null && 'a gender (keys 1–4)', age === null && 'an age (A, then type it)'].filter(Boolean).join(' and ');
        setStatus({ kind: 'error', message: `This face has no ${gender === null && age === null ? 'labels' : gender === null ? 'gender' : 'age'} yet: give it ${missing}, or press S to skip it.` });
        return;
      }
      const body =
        effective === 'accept' || effective === 'skip'
          ? { version, action: effective }
          : { version, action: 'label', gender: gender ?? undefined, age: age ?? undefined, race: mine.race !== undefined ? mine.race : (value.race ?? undefined) };
      const summary = effective === 'skip' ? 'skipped' : `${gender ? GENDER_LABEL[gender].toLowerCase() : '?'} · ${age ?? '?'}${effective === 'accept' ? ' (as predicted)' : ''}`;
      submitted.current.add(face.id);
      saves.submit({
        faceId: face.id,
        requestId: newRequestId(),
        body: { ...body, ...(mine.box ? { box: mine.box } : {}) },
        summary,
        action: effective,
        view: { ...view, face: { ...face, version } },
        draft: mine,
      });
      setConflict(null);
      setNotice(null);
      void loadNext();
    },
    [draft, face, loadNext, saves, value.age, value.gender, value.race, view],
  );

  const removeFace = useCallback(async () => {
    if (!face || deleting.current || saves.saving(face.id)) return;
    deleting.current = true;
    try {
      await annotateApi.remove(face.id, face.version, newRequestId());
      await loadNext();
    } catch (error) {
      setStatus({ kind: 'error', message: (error as Error).message });
    } finally {
      deleting.current = false;
    }
  }, [face, loadNext, saves]);

  const createFace = useCallback(
    async (drawn: Box) => {
      if (!view) return;
      setUi((u) => ({ ...u, draw: false }));
      try {
        const created = await annotateApi.create(view.image.id, drawn, newRequestId());
        setView((v) => (v ? { ...v, others: [...v.others, { id: created.face.id, version: created.face.version, status: created.face.status, box: created.face.box, labels: created.face.labels, leasedByOther: false }] } : v));
        setNotice('New face added; it joins the queue. Click it to label it now.');
      } catch (error) {
        setStatus({ kind: 'error', message: (error as Error).message });
      }
    },
    [view],
  );

  // The keyboard: one handler on the window, so focus can never trap the shortcuts. Bound in a layout
  // effect, at commit: a passive effect can run after the next key (input outranks React's deferred
  // effects under load), and that key would meet the handler of the state before, e.g. an Enter
  // saving the draft without the label typed just before it.
  useLayoutEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement;
      const inField = target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA';
      if (e.key === 'Escape') {
        target.blur?.();
        setUi((u) => ({ ...u, help: false, draw: false, boxMode: false }));
        return;
      }
      if (e.key === ' ' && !inField) {
        e.preventDefault();
        setUi((u) => (u.panning ? u : { ...u, panning: true }));
        return;
      }
      if (inField && e.key !== 'Enter') return;
      if (inField) target.blur();
      if (e.key === '?') {
        setUi((u) => ({ ...u, help: !u.help }));
        return;
      }
      const ctrl = e.ctrlKey || e.metaKey;
      if (e.repeat && (e.key === 'Enter' || e.key.toLowerCase() === 's')) return; // key repeat never saves twice
      if (busy.current) {
        if (typeAhead.current.length < TYPE_AHEAD_MAX && !e.altKey) {
          e.preventDefault();
          typeAhead.current.push({ key: e.key, code: e.code, shiftKey: e.shiftKey, ctrlKey: e.ctrlKey, metaKey: e.metaKey });
        }
        return;
      }
      if (!face && e.key === 'Enter' && status.kind === 'error') return void loadNext();
      if (!face || conflict) return;
      if (ctrl && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        dispatch({ type: e.shiftKey ? 'redo' : 'undo' });
        return;
      }
      if (ctrl || e.altKey) return;
      if (/^Numpad\d$/.test(e.code)) {
        const now = Date.now();
        const typing = ageTyping.current;
        const text = (now - typing.at < 1500 ? typing.text : '') + e.code.slice(6);
        ageTyping.current = { text: text.slice(-3), at: now };
        const age = Number(ageTyping.current.text);
        if (isValidAge(age)) edit({ age });
        e.preventDefault();
        return;
      }
      const nudge = e.shiftKey ? 10 : 1;
      if (ui.boxMode && box && e.key.startsWith('Arrow')) {
        e.preventDefault();
        const dx = e.key === 'ArrowLeft' ? -nudge : e.key === 'ArrowRight' ? nudge : 0;
        const dy = e.key === 'ArrowUp' ? -nudge : e.key === 'ArrowDown' ? nudge : 0;
        const w = view!.image.width;
        const h = view!.image.height;
        edit({ box: { ...box, x: Math.min(Math.max(0, box.x + dx), w - box.w), y: Math.min(Math.max(0, box.y + dy), h - box.h) } });
        return;
      }
      switch (e.key) {
        case 'Enter':
          e.preventDefault();
          save('label');
          return;
        case '1':
        case '2':
        case '3':
        case '4':
          edit({ gender: GENDERS[Number(e.key) - 1] });
          return;
        case 'ArrowUp':
        case 'ArrowDown': {
          e.preventDefault();
          const at = value.age !== null && isValidAge(value.age) ? ageToBin(value.age) : ageToBin(30);
          const bin = Math.min(AGE_BIN_COUNT - 1, Math.max(0, at + (e.key === 'ArrowUp' ? 1 : -1)));
          edit({ age: Math.round(AGE_BIN_CENTERS[bin]) });
          return;
        }
        case 'a':
        case 'A':
          e.preventDefault();
          ageInput.current?.focus();
          ageInput.current?.select();
          return;
        case 'r':
        case 'R': {
          const i = value.race ? RACES.indexOf(value.race) : -1;
          edit({ race: RACES[(i + (e.shiftKey ? RACES.length - 1 : 1) + RACES.length) % RACES.length] });
          return;
        }
        case 's':
        case 'S':
          save('skip');
          return;
        case 'n':
        case 'N':
          setUi((u) => ({ ...u, draw: !u.draw, boxMode: false }));
          return;
        case 'b':
        case 'B':
          setUi((u) => ({ ...u, boxMode: !u.boxMode, draw: false }));
          return;
        case 'h':
        case 'H':
          setUi((u) => ({ ...u, hide: !u.hide }));
          return;
        case '0':
          setUi((u) => ({ ...u, fit: u.fit + 1 }));
          return;
        case 'Delete':
        case 'Backspace':
          e.preventDefault();
          void removeFace();
          return;
      }
    }
    function onKeyUp(e: KeyboardEvent) {
      if (e.key === ' ') setUi((u) => ({ ...u, panning: false }));
    }
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKeyUp);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKeyUp);
    };
  }, [box, conflict, edit, face, loadNext, removeFace, save, status.kind, ui.boxMode, value.age, value.race, view]);

  // Declared after the keyboard effect, so it runs once the handler sees what show() put up.
  useLayoutEffect(() => {
    if (shown > 0 && nav.current === shownAt.current) busy.current = false;
  }, [shown]);

  // Keys typed while the next face was loading, replayed one per render once it is shown
  // (after the handler above has been re-bound to the new face).
  useLayoutEffect(() => {
    if (busy.current || !face || conflict || typeAhead.current.length === 0) return;
    const init = typeAhead.current.shift()!;
    window.dispatchEvent(new KeyboardEvent('keydown', { ...init, bubbles: true, cancelable: true }));
    setTick((t) => t + 1);
  });

  const inFlight = saves.recent.filter((e) => e.state !== 'saved');
  const retrying = inFlight.find((e) => e.state === 'retrying');

  if (status.kind === 'empty' && !view)
    return (
      <div className="card" data-testid="queue-empty">
        <h2>The queue is empty</h2>
        <p>Every face has a label or is being labeled by someone else. {done > 0 && `You labeled ${done} this session.`}</p>
        {notice && (
          <p className="notice" data-testid="notice">
            {notice}
          </p>
        )}
        <RecentSaves entries={saves.recent} onOpen={(id) => void open(id)} />
        <button type="button" onClick={() => void loadNext()}>
          Check again
        </button>
      </div>
    );
  if (!view || !face || !box)
    return (
      <p className="muted" data-testid="save-state">
        {status.kind === 'error' ? status.message : 'Loading the next face…'}
      </p>
    );

  const canvasFaces = [
    ...view.others.map((o) => ({ id: o.id, ...o.box })),
    { id: face.id, ...box, label: `${value.gender ? value.gender.toLowerCase() : '?'} · ${value.age ?? '?'}` },
  ];

  return (
    <div className="workspace" data-testid="workspace" data-face-id={face.id} data-version={face.version} data-busy={status.kind === 'loading'}>
      <div className="canvas-col" onDoubleClick={() => setUi((u) => ({ ...u, fit: u.fit + 1 }))}>
        <FaceCanvas
          src={view.image.url}
          width={view.image.width}
          height={view.image.height}
          faces={canvasFaces}
          selectedId={face.id}
          drawMode={ui.draw}
          hideBoxes={ui.hide}
          panning={ui.panning}
          fitKey={`${face.id}:${ui.fit}`}
          onSelect={(id) => {
            if (id !== face.id) void open(id);
          }}
          onChange={(_id, next) => {
            edit({ box: next });
            setUi((u) => ({ ...u, boxMode: true }));
            (document.activeElement as HTMLElement | null)?.blur();
          }}
          onCreate={createFace}
        />
        <p className="muted small toolbar">
          {view.image.sourceName} · {view.image.width}×{view.image.height}
          {ui.draw && <strong> · drawing: drag a box</strong>}
          {ui.boxMode && <strong> · box mode: arrows nudge</strong>}
          {ui.hide && ' · boxes hidden'}
        </p>
      </div>
      <aside className="side">
        <div className="queue-line">
          <span data-testid="remaining">{remaining !== null ? `${remaining} left in queue` : ''}</span>
          <span>{done} done this session</span>
          <button type="button" className="link" onClick={() => setUi((u) => ({ ...u, help: true }))}>
            ? shortcuts
          </button>
        </div>
        <LabelPanel face={face} draft={draft} value={value} onEdit={edit} ageInputRef={ageInput} />
        {conflict?.current && (
          <div className="conflict card" role="alert" data-testid="conflict">
            <strong>Someone else changed this face.</strong>
            <p>
              {conflict.current.lastChange?.by?.email ?? 'Another user'} saved gender {conflict.current.labels.gender ?? '–'}, age{' '}
              {conflict.current.labels.age ?? '–'} (version {conflict.current.version}). Your change is kept below.
            </p>
            <div className="row">
              <button type="button" data-testid="reapply" onClick={() => save(conflict.action, conflict.current!.version, conflict.mine)}>
                Re-apply my change
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  nav.current++;
                  void annotateApi.get(face.id).then(
                    (v) => show(v),
                    (error: Error) => setStatus({ kind: 'error', message: error.message }),
                  );
                }}
              >
                Keep theirs
              </button>
            </div>
          </div>
        )}
        <div className="actions">
          <button type="button" onClick={() => save('label')}>
            Save &amp; next <kbd>Enter</kbd>
          </button>
          <button type="button" className="secondary" onClick={() => save('skip')}>
            Skip <kbd>S</kbd>
          </button>
          <button type="button" className="secondary danger" onClick={() => void removeFace()}>
            Delete face <kbd>Del</kbd>
          </button>
        </div>
        <p className="save-state" data-testid="save-state" aria-live="polite">
          {saves.waiting > 0
            ? `Offline: ${saves.waiting} ${saves.waiting === 1 ? 'save waits' : 'saves wait'} for the connection and will be sent when it is back; nothing is lost.`
            : retrying
              ? `Connection trouble: retrying the save (attempt ${retrying.attempt ?? 1}); keep working, nothing is lost.`
              : inFlight.length > 0 && `Saving ${inFlight.length}…`}{' '}
          {status.kind === 'loading' && 'Loading the next face…'}
          {status.kind === 'error' && <span className="error">{status.message}</span>}
          {isDirty(draft) && status.kind === 'idle' && 'Unsaved changes'}
        </p>
        {notice && (
          <p className="notice" data-testid="notice">
            {notice}
          </p>
        )}
        <RecentSaves entries={saves.recent} onOpen={(id) => void open(id)} />
        <p className="muted small">{SHORTCUTS.length} shortcuts · Ctrl+Z undo</p>
      </aside>
      {ui.help && <ShortcutsOverlay onClose={() => setUi((u) => ({ ...u, help: false }))} />}
    </div>
  );
}
