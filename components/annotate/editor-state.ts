import type { Box } from '@/lib/domain/box';
import type { Gender, Race } from '@/lib/domain/labels';

/** What the annotator has changed on the current face but not saved yet. */
export type Draft = { gender?: Gender; age?: number; race?: Race | null; box?: Box };

export type EditorState = { draft: Draft; undo: Draft[]; redo: Draft[] };

export type EditorAction =
  | { type: 'reset' }
  | { type: 'restore'; draft: Draft }
  | { type: 'edit'; patch: Draft }
  | { type: 'undo' }
  | { type: 'redo' };

export const initialEditor: EditorState = { draft: {}, undo: [], redo: [] };

/** Every label or box edit is one undo step; undo/redo walk them both ways. */
export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'reset':
      return initialEditor;
    case 'restore': // a face back in the editor with the change that did not save (one undo step to the stored state)
      return { draft: action.draft, undo: Object.keys(action.draft).length ? [{}] : [], redo: [] };
    case 'edit':
      return { draft: { ...state.draft, ...action.patch }, undo: [...state.undo, state.draft], redo: [] };
    case 'undo': {
      const previous = state.undo.at(-1);
      if (!previous) return state;
      return { draft: previous, undo: state.undo.slice(0, -1), redo: [state.draft, ...state.redo] };
    }
    case 'redo': {
      const [next, ...rest] = state.redo;
      if (!next) return state;
      return { draft: next, undo: [...state.undo, state.draft], redo: rest };
    }
  }
}

export function isDirty(draft: Draft): boolean {
  return Object.keys(draft).length > 0;
}
