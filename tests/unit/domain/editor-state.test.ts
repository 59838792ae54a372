import { describe, expect, it } from 'vitest';
import { editorReducer, initialEditor, isDirty } from '@/components/annotate/editor-state';

describe('editor undo/redo', () => {
  it('undoes and redoes label and box edits in order', () => {
    let s = editorReducer(initialEditor, { type: 'edit', patch: { gender: 'FEMALE' } });
    s = editorReducer(s, { type: 'edit', patch: { box: { x: 1, y: 2, w: 3, h: 4 } } });
    s = editorReducer(s, { type: 'edit', patch: { age: 40 } });
    expect(s.draft).toEqual({ gender: 'FEMALE', box: { x: 1, y: 2, w: 3, h: 4 }, age: 40 });
    s = editorReducer(s, { type: 'undo' });
    s = editorReducer(s, { type: 'undo' });
    expect(s.draft).toEqual({ gender: 'FEMALE' });
    s = editorReducer(s, { type: 'redo' });
    expect(s.draft.box).toEqual({ x: 1, y: 2, w: 3, h: 4 });
    s = editorReducer(s, { type: 'edit', patch: { age: 7 } });
    expect(s.redo).toEqual([]);
    s = editorReducer(editorReducer(editorReducer(s, { type: 'undo' }), { type: 'undo' }), { type: 'undo' });
    expect(isDirty(s.draft)).toBe(false);
    expect(editorReducer(s, { type: 'undo' })).toBe(s);
  });

  it('restores a failed save\'s change with one undo step back to the stored state', () => {
    const s = editorReducer(initialEditor, { type: 'restore', draft: { gender: 'MALE', age: 33 } });
    expect(s.draft).toEqual({ gender: 'MALE', age: 33 });
    expect(editorReducer(s, { type: 'undo' }).draft).toEqual({});
  });
});
