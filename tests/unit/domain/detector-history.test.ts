import { describe, expect, it } from 'vitest';
import { type HistoryEvent, reconstructDetections } from '@/lib/domain/detector-history';

const box = (x: number) => ({ x, y: 0, w: 100, h: 100 });
const snap = (x: number, status = 'PREDICTED') => ({ status, box: box(x) });
let nextId = 1;
const ev = (e: Omit<HistoryEvent, 'id'>): HistoryEvent => ({ id: nextId++, ...e });

describe('detector boxes rebuilt from history', () => {
  it('takes a detected face’s box before its first change, and its score', () => {
    const face = { id: 'f1', boxSource: 'DETECTED', predDetScore: 0.8, ...box(40) };
    const events = [
      ev({ faceId: 'f1', action: 'BOX', before: snap(0), after: snap(20), faceVersion: 2 }),
      ev({ faceId: 'f1', action: 'LABEL', before: snap(20), after: snap(40, 'LABELED'), faceVersion: 3 }),
    ];
    expect(reconstructDetections([face], events)).toEqual([{ ...box(0), score: 0.8 }]);
    expect(reconstructDetections([{ ...face, id: 'f2' }], events)).toEqual([{ ...box(40), score: 0.8 }]);
  });

  it('leaves out drawn and imported faces', () => {
    expect(reconstructDetections([{ id: 'd', boxSource: 'DRAWN', predDetScore: null, ...box(0) }, { id: 'i', boxSource: 'IMPORTED', predDetScore: null, ...box(0) }], [])).toEqual([]);
  });

  it('follows a deleted detection back through its unlinked events to its original box', () => {
    const events = [
      ev({ faceId: null, action: 'BOX', before: snap(0), after: snap(30), faceVersion: 2 }),
      ev({ faceId: null, action: 'BOX', before: snap(30), after: snap(60), faceVersion: 3 }),
      ev({ faceId: null, action: 'DELETE', before: { id: 'gone', ...snap(60) }, after: null, faceVersion: 4 }),
      // Deleted without changes: version 1 → DELETE at version 2.
      ev({ faceId: null, action: 'DELETE', before: { id: 'gone2', ...snap(500) }, after: null, faceVersion: 2 }),
    ];
    expect(reconstructDetections([], events)).toEqual([
      { ...box(0), score: null },
      { ...box(500), score: null },
    ]);
  });

  it('a deleted face that was drawn or imported was no detection', () => {
    const events = [
      ev({ faceId: null, action: 'CREATE', before: null, after: snap(10), faceVersion: 1 }),
      ev({ faceId: null, action: 'DELETE', before: { id: 'drawn', ...snap(10) }, after: null, faceVersion: 2 }),
      ev({ faceId: null, action: 'IMPORT', before: null, after: { ...snap(300, 'IMPORTED'), boxSource: 'IMPORTED' }, faceVersion: 1 }),
      ev({ faceId: null, action: 'BOX', before: snap(300, 'IMPORTED'), after: snap(320, 'IMPORTED'), faceVersion: 2 }),
      ev({ faceId: null, action: 'DELETE', before: { id: 'imported', ...snap(320, 'IMPORTED') }, after: null, faceVersion: 3 }),
    ];
    expect(reconstructDetections([], events)).toEqual([]);
  });
});
