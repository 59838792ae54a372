'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ProgressBar } from '@/components/progress-bar';
import type { ImportSummary } from '@/lib/api/imports/summary';
import { DropZone } from '@/components/drop-zone';
import type { PickedFile } from '@/lib/client/collect-files';
import { type ImportProgress, importPicked } from '@/lib/client/import-utkface';

const MiB = 2 ** 20;

function n(v: number): string {
  return v.toLocaleString();
}

function SummaryView({ summary }: { summary: ImportSummary }) {
  const would = summary.dryRun ? 'would be ' : '';
  const rows: [string, number, string][] = [
    [`${summary.dryRun ? 'Would be imported' : 'Imported'} (with labels)`, summary.imported, 'imported'],
    [
      `Duplicates (already in the library${summary.labelsAdded ? `; ${n(summary.labelsAdded)} of them ${summary.dryRun ? 'would get' : 'got'} the labels` : ''})`,
      summary.duplicates,
      'duplicates',
    ],
    [`Unlabeled (not a UTKFace name; ${would}stored without a face)`, summary.unlabeled, 'unlabeled'],
    ['Duplicates whose name gives other labels (first labels kept)', summary.conflictsCount, 'conflicts'],
    ['Rejected', summary.rejectedCount, 'rejected'],
    ['Skipped (system files, folders)', summary.skipped, 'skipped'],
    ['Quirky names forgiven', summary.quirksCount, 'quirks'],
  ];
  return (
    <section className="card" aria-label="Import summary" data-testid="import-summary">
      <h2>
        {summary.dryRun ? 'Dry run — nothing was written' : 'Import finished'} · dataset “{summary.dataset.name}”
        {summary.dataset.created ? (summary.dryRun ? ' (would be created)' : ' (created)') : ''}
      </h2>
      {summary.error && (
        <p className="error" role="alert">
          {summary.error.message}
        </p>
      )}
      <table className="table">
        <tbody>
          {rows.map(([label, value, key]) => (
            <tr key={key} data-testid={`count-${key}`}>
              <th scope="row">{label}</th>
              <td>{n(value)}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">Entries looked at</th>
            <td>
              {n(summary.total)} in {(summary.durationMs / 1000).toFixed(1)} s
            </td>
          </tr>
        </tbody>
      </table>
      <Details title="Rejected" count={summary.rejectedCount} rows={summary.rejected.map((r) => [r.name, r.reason])} testId="rejected" />
      <Details
        title="Quirky names forgiven"
        count={summary.quirksCount}
        rows={summary.quirks.map((q) => [q.name, q.quirks.join(', ')])}
        testId="quirks"
      />
      <Details
        title="Duplicates named with other labels"
        count={summary.conflictsCount}
        rows={summary.conflicts.map((c) => [c.name, c.reason])}
        testId="conflicts"
      />
      <Details title="Unlabeled" count={summary.unlabeled} rows={summary.unlabeledNames.map((u) => [u.name, u.reason])} testId="unlabeled" />
    </section>
  );
}

function Details({ title, count, rows, testId }: { title: string; count: number; rows: [string, string][]; testId: string }) {
  if (count === 0) return null;
  return (
    <details open={rows.length <= 20} data-testid={`details-${testId}`}>
      <summary>
        {title}: {n(count)}
        {rows.length < count ? ` (first ${n(rows.length)} listed)` : ''}
      </summary>
      <table className="table">
        <thead>
          <tr>
            <th>File</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, why], i) => (
            <tr key={i}>
              <td className="small">{name}</td>
              <td className="small">{why}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function ImportPageClient() {
  const queryClient = useQueryClient();
  const [dataset, setDataset] = useState('UTKFace');
  const [dryRun, setDryRun] = useState(false);
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const stopper = useRef<AbortController | null>(null);

  const run = useMutation({
    mutationFn: async () => {
      stopper.current = new AbortController();
      return importPicked(picked, { dataset, dryRun }, setProgress, stopper.current.signal);
    },
    onSettled: (summary) => {
      stopper.current = null;
      if (summary && !summary.dryRun) {
        queryClient.invalidateQueries({ queryKey: ['images'] });
        queryClient.invalidateQueries({ queryKey: ['datasets'] });
      }
    },
  });

  function choose(files: PickedFile[]) {
    if (run.isPending) return;
    setPicked(files);
    setProgress(null);
    run.reset();
  }

  const bytes = picked.reduce((s, p) => s + p.file.size, 0);
  return (
    <>
      <h1>Import UTKFace-named images</h1>
      <p className="muted">
        Files named <code>age_gender_race_datetime.jpg</code> (or <code>.jpg.chip.jpg</code>) become faces with the labels in
        their names, as ground truth. Pick a .zip (best for thousands of files), a folder, or single images. Images already in
        the library are not stored again; names that are not UTKFace names are stored without labels.
      </p>
      <form
        className="card form"
        aria-label="Import"
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <label>
          Dataset
          <input
            name="dataset"
            value={dataset}
            maxLength={200}
            onChange={(e) => setDataset(e.target.value)}
            disabled={run.isPending}
            data-testid="dataset-name"
          />
        </label>
        <label className="form inline">
          <input
            type="checkbox"
            checked={dryRun}
            onChange={(e) => setDryRun(e.target.checked)}
            disabled={run.isPending}
            data-testid="dry-run"
          />
          Dry run (report what would be imported; write nothing)
        </label>
        <DropZone
          prompt="Drop a .zip, a folder or images here"
          fileLabel="Choose .zip or images"
          accept=".zip,application/zip,image/jpeg,image/png,image/webp,.jpg"
          testId="import-"
          onFiles={choose}
        >
          {picked.length > 0 && (
            <p data-testid="picked">
              {picked.length === 1 ? picked[0].path : `${n(picked.length)} files`} · {(bytes / MiB).toFixed(1)} MiB
            </p>
          )}
        </DropZone>
        <div className="row">
          <button type="submit" disabled={picked.length === 0 || run.isPending} data-testid="start-import">
            {dryRun ? 'Check (dry run)' : 'Import'}
          </button>
          {run.isPending && (
            <button type="button" className="danger" onClick={() => stopper.current?.abort()}>
              Stop
            </button>
          )}
        </div>
        {progress && <ProgressBar value={progress.value} label={progress.label} />}
      </form>
      {run.error && (
        <p className="error" role="alert">
          {run.error.message}
        </p>
      )}
      {run.data && <SummaryView summary={run.data} />}
    </>
  );
}
