'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ProgressBar } from '@/components/progress-bar';
import type { ImportJobView } from '@/lib/api/imports/import-job';
import type { ImportSummary } from '@/lib/api/imports/summary';
import { DropZone } from '@/components/drop-zone';
import type { PickedFile } from '@/lib/client/collect-files';
import { cancelImport, fetchImports, uploadImport } from './import-jobs';
import { splitParts, storeZip } from './store-zip';

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

const ACTIVE = ['QUEUED', 'RUNNING'];
const STATUS_TEXT: Record<ImportJobView['status'], string> = {
  QUEUED: 'waiting for a worker',
  RUNNING: 'importing',
  SUCCEEDED: 'finished',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
};

function JobRow({ job, open, onCancel }: { job: ImportJobView; open: boolean; onCancel(): void }) {
  const active = ACTIVE.includes(job.status);
  return (
    <li className="card" data-testid="import-job" data-status={job.status}>
      <div className="row">
        <strong>{job.fileName}</strong>
        <span className="muted small">
          {(job.bytes / MiB).toFixed(1)} MiB → “{job.dataset}”{job.dryRun ? ' · dry run' : ''} · {STATUS_TEXT[job.status]}
          {job.cancelRequested && active ? ' (stopping…)' : ''} · {new Date(job.createdAt).toLocaleString()}
        </span>
        {active && !job.cancelRequested && (
          <button type="button" className="danger" onClick={onCancel} data-testid="cancel-import">
            Cancel
          </button>
        )}
      </div>
      {active && <ProgressBar value={job.progress} label={job.progressMessage ?? STATUS_TEXT[job.status]} />}
      {job.status === 'FAILED' && (
        <p className="error" role="alert">
          {job.error}
        </p>
      )}
      {job.status === 'CANCELLED' && <p className="muted">Cancelled; batches committed before the cancel stay imported.</p>}
      {job.summary &&
        (open ? (
          <SummaryView summary={job.summary} />
        ) : (
          <details>
            <summary>Summary</summary>
            <SummaryView summary={job.summary} />
          </details>
        ))}
    </li>
  );
}

/** Files of a folder per uploaded zip part: well under the server's entry limit, and small enough to retry. */
const PART_ENTRIES = 10_000;
const PART_BYTES = 1024 * MiB;

export function ImportPageClient() {
  const queryClient = useQueryClient();
  const [dataset, setDataset] = useState('UTKFace');
  const [dryRun, setDryRun] = useState(false);
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [upload, setUpload] = useState<{ value: number; label: string } | null>(null);
  const [mine, setMine] = useState<string[]>([]);
  const stopper = useRef<AbortController | null>(null);

  const jobs = useQuery({
    queryKey: ['imports'],
    queryFn: fetchImports,
    refetchInterval: (q) => (q.state.data?.some((j) => ACTIVE.includes(j.status)) ? 1000 : false),
  });
  const anyActive = jobs.data?.some((j) => ACTIVE.includes(j.status)) ?? false;
  useEffect(() => {
    if (!anyActive) {
      queryClient.invalidateQueries({ queryKey: ['images'] });
      queryClient.invalidateQueries({ queryKey: ['datasets'] });
    }
  }, [anyActive, queryClient]);

  const send = useMutation({
    mutationFn: async () => {
      stopper.current = new AbortController();
      const signal = stopper.current.signal;
      const settings = { dataset, dryRun };
      // One file (a .zip or an image) goes as it is; a folder is packed into stored zips.
      const parts: { body: Blob; name: string }[] = [];
      if (picked.length === 1) parts.push({ body: picked[0].file, name: picked[0].path });
      else {
        const groups = splitParts(picked, PART_ENTRIES, PART_BYTES);
        const folder = picked[0].path.split('/')[0] || 'folder';
        for (const [i, group] of groups.entries()) {
          const body = await storeZip(group, (done) => {
            if (done % 200 === 0 || done === group.length) {
              setUpload({ value: done / group.length, label: `Packing part ${i + 1} of ${groups.length}: ${n(done)} of ${n(group.length)} files` });
            }
          });
          parts.push({ body, name: groups.length > 1 ? `${folder} (part ${i + 1} of ${groups.length}).zip` : `${folder}.zip` });
        }
      }
      const queued: string[] = [];
      for (const [i, part] of parts.entries()) {
        const job = await uploadImport(
          part.body,
          part.name,
          settings,
          (sent, total) =>
            setUpload({
              value: total ? sent / total : 0,
              label: `Uploading ${parts.length > 1 ? `part ${i + 1} of ${parts.length}` : part.name}: ${(sent / MiB).toFixed(1)} of ${(total / MiB).toFixed(1)} MiB`,
            }),
          signal,
        );
        queued.push(job.id);
        setMine((m) => [job.id, ...m]);
        await queryClient.invalidateQueries({ queryKey: ['imports'] });
      }
      return queued;
    },
    onSettled: () => {
      stopper.current = null;
      setUpload(null);
      setPicked([]);
    },
  });

  const cancel = useMutation({
    mutationFn: cancelImport,
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['imports'] }),
  });

  function choose(files: PickedFile[]) {
    if (send.isPending) return;
    setPicked(files);
    send.reset();
  }

  const bytes = picked.reduce((s, p) => s + p.file.size, 0);
  return (
    <>
      <h1>Import UTKFace-named images</h1>
      <p className="muted">
        Files named <code>age_gender_race_datetime.jpg</code> (or <code>.jpg.chip.jpg</code>) become faces with the labels in
        their names, as ground truth. Pick a .zip, a folder, or one image: it is uploaded, then imported in the background — you
        may leave or reload this page; progress and the summary stay below. Images already in the library are not stored
        again; names that are not UTKFace names are stored without labels.
      </p>
      <form
        className="card form"
        aria-label="Import"
        onSubmit={(e) => {
          e.preventDefault();
          send.mutate();
        }}
      >
        <label>
          Dataset
          <input
            name="dataset"
            value={dataset}
            maxLength={200}
            onChange={(e) => setDataset(e.target.value)}
            disabled={send.isPending}
            data-testid="dataset-name"
          />
        </label>
        <label className="form inline">
          <input
            type="checkbox"
            checked={dryRun}
            onChange={(e) => setDryRun(e.target.checked)}
            disabled={send.isPending}
            data-testid="dry-run"
          />
          Dry run (report what would be imported; write nothing)
        </label>
        <DropZone
          prompt="Drop a .zip, a folder or an image here"
          fileLabel="Choose .zip or image"
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
          <button type="submit" disabled={picked.length === 0 || send.isPending} data-testid="start-import">
            {dryRun ? 'Check (dry run)' : 'Import'}
          </button>
          {send.isPending && (
            <button type="button" className="danger" onClick={() => stopper.current?.abort()}>
              Stop upload
            </button>
          )}
        </div>
        {upload && <ProgressBar value={upload.value} label={upload.label} />}
      </form>
      {send.error && (
        <p className="error" role="alert">
          {send.error.message}
        </p>
      )}
      <h2>Imports</h2>
      {jobs.error && (
        <p className="error" role="alert">
          {jobs.error.message}
        </p>
      )}
      {jobs.data && jobs.data.length === 0 && <p className="muted">No imports yet.</p>}
      <ul style={{ listStyle: 'none', padding: 0 }} data-testid="import-jobs">
        {jobs.data?.map((job, i) => (
          <JobRow key={job.id} job={job} open={i === 0 || mine.includes(job.id)} onCancel={() => cancel.mutate(job.id)} />
        ))}
      </ul>
    </>
  );
}
