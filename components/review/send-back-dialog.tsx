import { type FormEvent, useEffect, useRef } from 'react';

/** Asks for an optional note before sending faces back to the annotation queue (Enter sends, Esc cancels). */
export function SendBackDialog({ count, onConfirm, onCancel }: { count: number; onConfirm: (note: string) => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    noteRef.current?.focus();
    return () => dialog?.close();
  }, []);

  function submit(event: FormEvent) {
    event.preventDefault();
    onConfirm(noteRef.current?.value.trim() ?? '');
  }

  return (
    <dialog ref={ref} className="review-dialog" aria-label="Send back" onCancel={onCancel}>
      <form onSubmit={submit}>
        <h2>
          Send {count} face{count === 1 ? '' : 's'} back to the queue
        </h2>
        <p className="muted small">Their labels stay for the next annotator to correct. The note is kept in each face&apos;s history.</p>
        <textarea
          ref={noteRef}
          name="note"
          aria-label="Note"
          maxLength={500}
          rows={3}
          placeholder="Optional note, e.g. “age looks 10 years too low”"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) submit(e);
          }}
        />
        <div className="review-dialog-actions">
          <span className="muted small">Enter sends · Shift+Enter new line</span>
          <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
          <button type="submit">Send back</button>
        </div>
      </form>
    </dialog>
  );
}
