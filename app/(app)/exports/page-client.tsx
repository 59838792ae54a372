'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { ProgressBar } from '@/components/progress-bar';
import { apiFetch } from '@/lib/client/api';
import { FACE_STATUSES } from '@/lib/domain/labels';

type ExportRow = {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  storageKey: string | null;
  bytes: number | null;
  counts: { faces: number; utkFiles: number; manifestOnly: number; images: number } | null;
  containsPurged: boolean;
  job: { status: string; progress: number; progressMessage: string | null; error: string | null; createdBy: { email: string } | null };
};
type Option = { id: string; name?: string; email?: string };

export function ExportsPageClient({ datasets, annotators }: { datasets: Option[]; annotators: Option[] }) {
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: ['exports'],
    queryFn: () => apiFetch<{ exports: ExportRow[] }>('/api/exports'),
    // Poll while anything is pending, so progress survives reloads and shows live.
    refetchInterval: (q) => (q.state.data?.exports.some((e) => ['QUEUED', 'RUNNING'].includes(e.job.status)) ? 1000 : false),
  });
  const start = useMutation({
    mutationFn: (body: object) => apiFetch('/api/exports', { method: 'POST', body: JSON.stringify(body) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['exports'] }),
  });
  const cancel = useMutation({
    mutationFn: (id: string) => apiFetch(`/api/exports/${id}`, { method: 'DELETE' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['exports'] }),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const statuses = form.getAll('status').map(String);
    const pick = (name: string) => (form.get(name) ? String(form.get(name)) : undefined);
    start.mutate({
      filters: { statuses, datasetId: pick('datasetId'), annotatorId: pick('annotatorId'), from: pick('from'), to: pick('to') },
      options: { margin: Number(form.get('margin')), size: Number(form.get('size')) },
    });
  }

  return (
    <>
      <h1>Exports</h1>
      <form className="card form" onSubmit={onSubmit} aria-label="New export">
        <fieldset className="row" style={{ justifyContent: 'flex-start', border: 0, padding: 0 }}>
          <legend>Statuses</legend>
          {FACE_STATUSES.map((s) => (
            <label key={s} className="inline-check">
              <input type="checkbox" name="status" value={s} defaultChecked={['LABELED', 'REVIEWED', 'IMPORTED'].includes(s)} /> {s.toLowerCase()}
            </label>
          ))}
        </fieldset>
        <div className="form inline">
          <select name="datasetId" aria-label="Dataset" defaultValue="">
            <option value="">all datasets</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>{d.name}</option>
            ))}
          </select>
          <select name="annotatorId" aria-label="Annotator" defaultValue="">
            <option value="">all annotators</option>
            {annotators.map((a) => (
              <option key={a.id} value={a.id}>{a.email}</option>
            ))}
          </select>
          <label>labeled from <input type="date" name="from" /></label>
          <label>to <input type="date" name="to" /></label>
          <label>margin <input type="number" name="margin" min={0} max={1} step={0.05} defaultValue={0.4} style={{ width: 70 }} /></label>
          <label>size <input type="number" name="size" min={32} max={1024} defaultValue={200} style={{ width: 80 }} /> px</label>
          <button type="submit" disabled={start.isPending}>Start export</button>
        </div>
        {start.error && <p className="error" role="alert">{start.error.message}</p>}
        <p className="muted small">
          Face crops are named <code>age_gender_race_datetime.jpg</code>; faces UTKFace cannot name (non-binary or unknown gender,
          unknown race) stay in <code>manifest.csv</code>/<code>manifest.json</code> with every field, including the train/val/test split.
        </p>
      </form>
      <table className="table" data-testid="exports">
        <thead>
          <tr><th>Started</th><th>By</th><th>Status</th><th>Faces</th><th /></tr>
        </thead>
        <tbody>
          {list.data?.exports.map((e) => (
            <tr key={e.id} data-status={e.job.status}>
              <td>{new Date(e.createdAt).toLocaleString()}</td>
              <td>{e.job.createdBy?.email}</td>
              <td style={{ minWidth: 260 }}>
                {e.job.status === 'RUNNING' || e.job.status === 'QUEUED' ? (
                  <ProgressBar value={e.job.progress} label={e.job.progressMessage ?? e.job.status.toLowerCase()} />
                ) : (
                  <span className={e.job.status === 'FAILED' ? 'error' : ''}>
                    {e.job.status.toLowerCase()}
                    {e.job.error ? `: ${e.job.error}` : ''}
                    {e.containsPurged ? ' (holds an image deleted since)' : ''}
                  </span>
                )}
              </td>
              <td>
                {e.counts ? `${e.counts.faces} (${e.counts.utkFiles} UTKFace files, ${e.counts.manifestOnly} manifest only)` : '–'}
              </td>
              <td>
                {e.storageKey ? (
                  <a href={`/api/exports/${e.id}/download`}>Download ({((e.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB)</a>
                ) : ['QUEUED', 'RUNNING'].includes(e.job.status) ? (
                  <button type="button" className="link danger" onClick={() => cancel.mutate(e.id)}>Cancel</button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
