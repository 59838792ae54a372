'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { LineChart } from '@/components/charts/line-chart';
import { ProgressBar } from '@/components/progress-bar';
import { apiFetch } from '@/lib/client/api';
import { type JobLogRow, type JobRow, fmt, isLive, jobKindLabel } from './types';

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A round's (or re-score's, or background features job's) live state: progress, ETA, loss/val-MAE curves per epoch, cancel, log. */
export function RoundProgress({ jobId, onCancel }: { jobId: string; onCancel: (id: string) => void }) {
  const queryClient = useQueryClient();
  const q = useQuery({
    queryKey: ['job', jobId],
    queryFn: () => apiFetch<{ job: JobRow; logs: JobLogRow[] }>(`/api/jobs/${jobId}`),
    refetchInterval: (query) => (query.state.data && !isLive(query.state.data.job.status) ? false : 1000),
  });
  // The round just ended: its version (and the served one) show now, not at the page's next poll.
  const status = q.data?.job.status;
  const wasLive = useRef(false);
  useEffect(() => {
    if (!status) return;
    if (wasLive.current && !isLive(status)) void queryClient.invalidateQueries({ queryKey: ['models'] });
    wasLive.current = isLive(status);
  }, [queryClient, status]);
  if (!q.data) return <p className="muted">Loading job…</p>;
  const { job, logs } = q.data;
  const epochs = logs.filter((l) => l.data?.type === 'epoch').map((l) => l.data!);
  const last = epochs.at(-1);
  return (
    <section className="card" data-testid="round-progress" data-status={job.status}>
      <h3>
        {capitalized(jobKindLabel(job.kind))} {job.id.slice(-6)} · <span data-testid="job-status">{job.status.toLowerCase()}</span>
        {job.attempts > 1 && <span className="muted"> (attempt {job.attempts} of {job.maxAttempts})</span>}
      </h3>
      {isLive(job.status) ? (
        <div className="row">
          <ProgressBar value={job.progress} label={job.progressMessage ?? job.status.toLowerCase()} />
          <button type="button" className="link danger" onClick={() => onCancel(job.id)}>Cancel</button>
        </div>
      ) : (
        job.error && <p className="error" role="alert">{job.error}</p>
      )}
      {last && (
        <p data-testid="epoch">
          Epoch {last.epoch}/{last.maxEpochs} · loss {fmt(last.loss, 4)} · val MAE {fmt(last.valMae)}
          {isLive(job.status) && last.etaSeconds !== undefined ? ` · ETA ≤ ${last.etaSeconds} s (early stopping may end sooner)` : ''}
        </p>
      )}
      {epochs.length > 0 && (
        <div className="charts">
          <LineChart title="Training loss per epoch" categories={epochs.map((e) => String(e.epoch))} series={[{ name: 'loss', color: '#3b6fd8', values: epochs.map((e) => e.loss ?? 0) }]} labelEvery={Math.ceil(epochs.length / 10)} />
          <LineChart title="Validation age MAE (years) per epoch" categories={epochs.map((e) => String(e.epoch))} series={[{ name: 'val MAE', color: '#d8833b', values: epochs.map((e) => e.valMae ?? 0) }]} labelEvery={Math.ceil(epochs.length / 10)} />
        </div>
      )}
      <details open={!isLive(job.status)}>
        <summary>Job log ({logs.length})</summary>
        <ol className="small" data-testid="job-log" style={{ maxHeight: 240, overflow: 'auto' }}>
          {logs.map((l) => (
            <li key={l.id} className={l.level === 'error' ? 'error' : l.level === 'warn' ? 'muted' : undefined}>
              {new Date(l.at).toLocaleTimeString()} {l.message}
            </li>
          ))}
        </ol>
      </details>
    </section>
  );
}
