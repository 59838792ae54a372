'use client';

import dynamic from 'next/dynamic';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { type ApiError, type EditorView, annotateApi, newRequestId } from '@/lib/client/annotate-api';
import { AGE_BIN_CENTERS, AGE_BIN_COUNT, ageToBin, isValidAge } from '@/lib/domain/age-bins';
import type { Box } from '@/lib/domain/box';
import { GENDERS, RACES } from '@/lib/domain/labels';
import { type Draft, editorReducer, initialEditor, isDirty } from './editor-state';
import { LabelPanel } from './label-panel';
import { SHORTCUTS, ShortcutsOverlay } from './shortcuts';

const FaceCanvas = dynamic(() => import('./face-canvas').then((m) => m.FaceCanvas), { ssr: false });

type Status = { kind: 'idle' | 'loading' | 'saving' | 'empty' } | { kind: 'retrying'; attempt: number } | { kind: 'error'; message: string };
type Conflict = { current: NonNullable<ApiError['details']>['current']; mine: Draft; action: string };

const LEASE_RENEW_MS = 60_000;

/**
 * The annotation workspace: one face at a time from the leased queue (or ?face=<id>), the whole
 * photo on a Konva canvas, labels in a panel, everything on the keyboard. Saves carry the face's
 * version and a request id, so retries are safe and a concurrent change comes back as a conflict
 * to resolve, never a silent overwrite.
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
  const ageInput = useRef<HTMLInputElement>(null);
  const saving = useRef(false);
  const ageTyping = useRef<{ text: string; at: number }>({ text: '', at: 0 });

  const face = view?.face ?? null;
  const draft = editor.draft;
  const value = {
    gender: draft.gender ?? face?.labels.gender ?? face?.prediction?.gender ?? null,
    age: draft.age ?? face?.labels.age ?? (face?.prediction?.age != null ? Math.round(face.prediction.age) : null),
    race: draft.race !== undefined ? draft.race : (face?.labels.race ?? face?.prediction?.race ?? null),
  };
  const box = draft.box ?? face?.box ?? null;

  const show = useCallback((next: EditorView | null, left?: number) => {
    dispatch({ type: 'reset' });
    setConflict(null);
    setView(next);
    if (left !== undefined) setRemaining(left);
    setUi((u) => ({ ...u, draw: false, boxMode: false, fit: u.fit + 1 }));
    setStatus(next ? { kind: 'idle' } : { kind: 'empty' });
  }, []);

  const loadNext = useCallback(async () => {
    setStatus({ kind: 'loading' });
    try {
      const next = await annotateApi.next();
      if (next.face === null) show(null, next.remaining);
      else show(next as EditorView, next.remaining);
      if (initialFaceId) router.replace('/annotate');
    } catch (error) {
      setStatus({ kind: 'error', message: (error as Error).message });
    }
  }, [initialFaceId, router, show]);

  const open = useCallback(
    async (id: string) => {
      setStatus({ kind: 'loading' });
      try {
        show(await annotateApi.get(id));
      } catch (error) {
        setStatus({ kind: 'error', message: (error as Error).message });
      }
    },
    [show],
  );

  useEffect(() => {
    if (initialFaceId) void open(initialFaceId);
    else void loadNext();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Keep the lease while the face is open; a lost lease means someone else has it now.
  useEffect(() => {
    if (!face?.lease?.mine) return;
    const timer = setInterval(() => {
      annotateApi.renew(face.id).catch((error: ApiError) => {
        if (error.code === 'LEASE_LOST' || error.status === 410) {
          setNotice('Your hold on this face ran out and it went to someone else; here is the next one.');
          void loadNext();
        }
      });
    }, LEASE_RENEW_MS);
    return () => clearInterval(timer);
  }, [face?.id, face?.lease?.mine, loadNext]);

  const edit = useCallback((patch: Draft) => dispatch({ type: 'edit', patch }), []);

  const save = useCallback(
    async (action: 'label' | 'accept' | 'skip', version = face?.version, mine: Draft = draft) => {
      if (!face || !version || saving.current) return; // key repeat and double submits stop here
      const untouched = !isDirty(mine);
      if (action === 'label' && untouched && face.status !== 'PREDICTED') return void loadNext();
      const effective = action === 'label' && untouched && face.prediction ? 'accept' : action;
      const body =
        effective === 'accept'
          ? { version, action: 'accept' }
          : effective === 'skip'
            ? { version, action: 'skip' }
            : { version, action: 'label', gender: mine.gender ?? value.gender ?? undefined, age: mine.age ?? value.age ?? undefined, race: mine.race !== undefined ? mine.race : (value.race ?? undefined) };
      saving.current = true;
      setStatus({ kind: 'saving' });
      try {
        await annotateApi.save(face.id, { ...body, requestId: newRequestId(), ...(mine.box ? { box: mine.box } : {}) }, (attempt) =>
          setStatus({ kind: 'retrying', attempt }),
        );
        setDone((n) => n + 1);
        setNotice(null);
        await loadNext();
      } catch (error) {
        const e = error as ApiError;
        if (e.status === 409 && e.details?.current) setConflict({ current: e.details.current, mine, action: effective });
        else if (e.status === 410) {
          setNotice(e.message);
          await loadNext();
        } else setStatus({ kind: 'error', message: e.message });
        if (e.status === 409) setStatus({ kind: 'idle' });
      } finally {
        saving.current = false;
      }
    },
    [draft, face, loadNext, value.age, value.gender, value.race],
  );

  const removeFace = useCallback(async () => {
    if (!face || saving.current) return;
    saving.current = true;
    try {
      await annotateApi.remove(face.id, face.version, newRequestId());
      await loadNext();
    } catch (error) {
      setStatus({ kind: 'error', message: (error as Error).message });
    } finally {
      saving.current = false;
    }
  }, [face, loadNext]);

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

  // The keyboard: one handler on the window, so focus can never trap the shortcuts.
  useEffect(() => {
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
      if (!face || conflict) return;
      const ctrl = e.ctrlKey || e.metaKey;
      if (ctrl && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        dispatch({ type: e.shiftKey ? 'redo' : 'undo' });
        return;
      }
      if (ctrl || e.altKey) return;
      if (e.repeat && (e.key === 'Enter' || e.key.toLowerCase() === 's')) return;
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
          void save('label');
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
          const current = value.age !== null && isValidAge(value.age) ? ageToBin(value.age) : ageToBin(30);
          const bin = Math.min(AGE_BIN_COUNT - 1, Math.max(0, current + (e.key === 'ArrowUp' ? 1 : -1)));
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
          void save('skip');
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
  }, [box, conflict, edit, face, removeFace, save, ui.boxMode, value.age, value.race, view]);

  if (status.kind === 'empty' && !view)
    return (
      <div className="card" data-testid="queue-empty">
        <h2>The queue is empty</h2>
        <p>Every face has a label or is being labeled by someone else. {done > 0 && `You labeled ${done} this session.`}</p>
        <button type="button" onClick={() => void loadNext()}>
          Check again
        </button>
      </div>
    );
  if (!view || !face || !box) return <p className="muted">{status.kind === 'error' ? status.message : 'Loading the next face…'}</p>;

  const canvasFaces = [
    ...view.others.map((o) => ({ id: o.id, ...o.box })),
    { id: face.id, ...box, label: `${value.gender ? value.gender.toLowerCase() : '?'} · ${value.age ?? '?'}` },
  ];

  return (
    <div className="workspace" data-testid="workspace" data-face-id={face.id} data-version={face.version}>
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
              <button type="button" data-testid="reapply" onClick={() => void save(conflict.action as 'label', conflict.current!.version, conflict.mine)}>
                Re-apply my change
              </button>
              <button type="button" className="secondary" onClick={() => void open(face.id)}>
                Keep theirs
              </button>
            </div>
          </div>
        )}
        <div className="actions">
          <button type="button" onClick={() => void save('label')} disabled={status.kind === 'saving'}>
            Save &amp; next <kbd>Enter</kbd>
          </button>
          <button type="button" className="secondary" onClick={() => void save('skip')}>
            Skip <kbd>S</kbd>
          </button>
          <button type="button" className="secondary danger" onClick={() => void removeFace()}>
            Delete face <kbd>Del</kbd>
          </button>
        </div>
        <p className="save-state" data-testid="save-state" aria-live="polite">
          {status.kind === 'saving' && 'Saving…'}
          {status.kind === 'retrying' && `Connection trouble: retrying (${status.attempt})…`}
          {status.kind === 'error' && <span className="error">{status.message}</span>}
          {isDirty(draft) && status.kind === 'idle' && 'Unsaved changes'}
        </p>
        {notice && <p className="notice">{notice}</p>}
        <p className="muted small">{SHORTCUTS.length} shortcuts · Ctrl+Z undo</p>
      </aside>
      {ui.help && <ShortcutsOverlay onClose={() => setUi((u) => ({ ...u, help: false }))} />}
    </div>
  );
}
