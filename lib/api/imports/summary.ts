import { z } from 'zod';

/**
 * The report of one UTKFace import (pure: shared by the server, the CLI and the browser).
 * Counts are exact; the listed arrays are capped at LIST_CAP entries each.
 */
export const LIST_CAP = 200;

const NamedReason = z.object({ name: z.string(), reason: z.string() });
const NamedQuirks = z.object({ name: z.string(), quirks: z.array(z.string()) });

export const ImportSummarySchema = z.object({
  dryRun: z.boolean(),
  dataset: z.object({
    /** null in a dry run that would create the dataset. */
    id: z.string().nullable(),
    name: z.string(),
    /** Created by this import (or, in a dry run, would be). */
    created: z.boolean(),
  }),
  /** Entries looked at (files, skipped system files, rejected entries). */
  total: z.number().int(),
  /** New images stored with an IMPORTED ground-truth face. */
  imported: z.number().int(),
  /** Images already in the library (or met earlier in this import): not stored again. */
  duplicates: z.number().int(),
  /** Of the duplicates: existing images that had no IMPORTED face and got the name's labels. */
  labelsAdded: z.number().int(),
  /** New images stored without a face because the name is not a UTKFace name. */
  unlabeled: z.number().int(),
  unlabeledNames: z.array(NamedReason),
  /** Operating-system files (.DS_Store, __MACOSX/…, dot files) and folder entries. */
  skipped: z.number().int(),
  rejectedCount: z.number().int(),
  rejected: z.array(NamedReason),
  /** Duplicates whose name carries other labels than the copy already imported (the first labels are kept). */
  conflictsCount: z.number().int(),
  conflicts: z.array(NamedReason),
  /** Names whose irregularities were forgiven (listed whether or not the file was new). */
  quirksCount: z.number().int(),
  quirks: z.array(NamedQuirks),
  durationMs: z.number(),
  /** Set when the import stopped early or could not start; everything counted above is complete. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export type ImportSummary = z.infer<typeof ImportSummarySchema>;
export type NamedReason = z.infer<typeof NamedReason>;

export function emptySummary(dataset: ImportSummary['dataset'], dryRun: boolean): ImportSummary {
  return {
    dryRun,
    dataset,
    total: 0,
    imported: 0,
    duplicates: 0,
    labelsAdded: 0,
    unlabeled: 0,
    unlabeledNames: [],
    skipped: 0,
    rejectedCount: 0,
    rejected: [],
    conflictsCount: 0,
    conflicts: [],
    quirksCount: 0,
    quirks: [],
    durationMs: 0,
  };
}

function pushCapped<T>(list: T[], item: T): void {
  if (list.length < LIST_CAP) list.push(item);
}

/** Mutating helpers that keep counts exact and lists capped. */
export const tally = {
  reject(s: ImportSummary, name: string, reason: string): void {
    s.rejectedCount += 1;
    pushCapped(s.rejected, { name, reason });
  },
  unlabeled(s: ImportSummary, name: string, reason: string): void {
    s.unlabeled += 1;
    pushCapped(s.unlabeledNames, { name, reason });
  },
  conflict(s: ImportSummary, name: string, reason: string): void {
    s.conflictsCount += 1;
    pushCapped(s.conflicts, { name, reason });
  },
  quirks(s: ImportSummary, name: string, quirks: string[]): void {
    if (quirks.length === 0) return;
    s.quirksCount += 1;
    pushCapped(s.quirks, { name, quirks });
  },
};

/**
 * Adds up summaries of several imports into one dataset (the browser sends a folder one file at
 * a time). Counts add; lists are concatenated up to the cap; the first error is kept.
 */
export function mergeSummaries(a: ImportSummary, b: ImportSummary): ImportSummary {
  const cap = <T>(x: T[], y: T[]) => [...x, ...y].slice(0, LIST_CAP);
  return {
    dryRun: a.dryRun || b.dryRun,
    dataset: { id: a.dataset.id ?? b.dataset.id, name: a.dataset.name, created: a.dataset.created || b.dataset.created },
    total: a.total + b.total,
    imported: a.imported + b.imported,
    duplicates: a.duplicates + b.duplicates,
    labelsAdded: a.labelsAdded + b.labelsAdded,
    unlabeled: a.unlabeled + b.unlabeled,
    unlabeledNames: cap(a.unlabeledNames, b.unlabeledNames),
    skipped: a.skipped + b.skipped,
    rejectedCount: a.rejectedCount + b.rejectedCount,
    rejected: cap(a.rejected, b.rejected),
    conflictsCount: a.conflictsCount + b.conflictsCount,
    conflicts: cap(a.conflicts, b.conflicts),
    quirksCount: a.quirksCount + b.quirksCount,
    quirks: cap(a.quirks, b.quirks),
    durationMs: a.durationMs + b.durationMs,
    ...(a.error ?? b.error ? { error: a.error ?? b.error } : {}),
  };
}

/** "1,234 imported · 5 duplicates · …" for logs and the CLI. */
export function describeSummary(s: ImportSummary): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const verb = s.dryRun ? 'would be ' : '';
  const parts = [
    `${n(s.imported)} ${verb}imported`,
    `${n(s.duplicates)} duplicate${s.duplicates === 1 ? '' : 's'}` +
      (s.labelsAdded ? ` (${n(s.labelsAdded)} of them ${s.dryRun ? 'would get' : 'got'} labels)` : '') +
      (s.conflictsCount ? ` (${n(s.conflictsCount)} named with other labels)` : ''),
    `${n(s.unlabeled)} ${verb}stored unlabeled`,
    `${n(s.rejectedCount)} rejected`,
    `${n(s.skipped)} skipped`,
    `${n(s.quirksCount)} quirky name${s.quirksCount === 1 ? '' : 's'} forgiven`,
  ];
  return parts.join(' · ');
}
