import { describe, expect, it } from 'vitest';
import { describeSummary, emptySummary, ImportSummarySchema, LIST_CAP, mergeSummaries, tally } from '@/lib/api/imports/summary';

const dataset = { id: 'd1', name: 'UTKFace', created: false };

describe('import summary', () => {
  it('keeps counts exact and lists capped', () => {
    const s = emptySummary(dataset, false);
    for (let i = 0; i < LIST_CAP + 50; i++) {
      tally.reject(s, `r${i}.jpg`, 'bad');
      tally.unlabeled(s, `u${i}.jpg`, 'not a UTKFace name');
      tally.quirks(s, `q${i}.jpg`, ['datetime has 16 digits']);
    }
    tally.quirks(s, 'plain.jpg', []);
    expect(s.rejectedCount).toBe(LIST_CAP + 50);
    expect(s.unlabeled).toBe(LIST_CAP + 50);
    expect(s.quirksCount).toBe(LIST_CAP + 50);
    expect(s.rejected).toHaveLength(LIST_CAP);
    expect(s.unlabeledNames).toHaveLength(LIST_CAP);
    expect(s.quirks).toHaveLength(LIST_CAP);
    expect(s.rejected[0]).toEqual({ name: 'r0.jpg', reason: 'bad' });
    expect(ImportSummarySchema.parse(s)).toEqual(s);
  });

  it('adds up summaries of a folder sent file by file', () => {
    const a = { ...emptySummary({ id: 'd1', name: 'UTKFace', created: true }, false), total: 3, imported: 2, duplicates: 1, labelsAdded: 1, durationMs: 10 };
    tally.quirks(a, 'x.jpg', ['no dot before jpg']);
    const b = { ...emptySummary(dataset, false), total: 2, skipped: 1, durationMs: 5 };
    tally.reject(b, 'y.jpg', 'age 300 out of range 0–120');
    tally.conflict(b, 'z.jpg', 'same image as x.jpg');
    b.error = { code: 'STORE_FAILED', message: 'stopped' };
    const sum = mergeSummaries(a, b);
    expect(sum).toMatchObject({
      total: 5,
      imported: 2,
      duplicates: 1,
      labelsAdded: 1,
      skipped: 1,
      rejectedCount: 1,
      quirksCount: 1,
      conflictsCount: 1,
      conflicts: [{ name: 'z.jpg', reason: 'same image as x.jpg' }],
      durationMs: 15,
      dataset: { id: 'd1', created: true },
      error: { code: 'STORE_FAILED' },
    });
    expect(sum.rejected).toEqual([{ name: 'y.jpg', reason: 'age 300 out of range 0–120' }]);
    const many = Array.from({ length: 3 }, () => {
      const s = emptySummary(dataset, false);
      for (let i = 0; i < LIST_CAP; i++) tally.reject(s, `${i}`, 'bad');
      return s;
    }).reduce(mergeSummaries);
    expect(many.rejectedCount).toBe(3 * LIST_CAP);
    expect(many.rejected).toHaveLength(LIST_CAP);
    expect('error' in mergeSummaries(emptySummary(dataset, false), emptySummary(dataset, false))).toBe(false);
  });

  it('describes itself in one line, in the conditional for a dry run', () => {
    const s = { ...emptySummary(dataset, true), imported: 23318, duplicates: 390, conflictsCount: 265, quirksCount: 8, rejectedCount: 1 };
    expect(describeSummary(s)).toBe(
      '23,318 would be imported · 390 duplicates (265 named with other labels) · 0 would be stored unlabeled · 1 rejected · 0 skipped · 8 quirky names forgiven',
    );
  });
});
