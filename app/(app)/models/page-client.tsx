'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { DetectorSection } from '@/components/models/detector-section';
import { FairnessTable } from '@/components/models/fairness-table';
import { MetricsChart } from '@/components/models/metrics-chart';
import { RoundProgress } from '@/components/models/round-progress';
import { type ModelsView, type VersionRow, isLive, jobKindLabel } from '@/components/models/types';
import { VersionsTable } from '@/components/models/versions-table';
import { apiFetch } from '@/lib/client/api';

export function ModelsPageClient() {
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const [shownJob, setShownJob] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['models'],
    queryFn: () => apiFetch<ModelsView>('/api/models?name=agegender'),
    refetchInterval: (q) => (q.state.data?.jobs.some((j) => isLive(j.status)) ? 1500 : 15_000),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['models'] });
  const start = useMutation({
    mutationFn: (body: object) => apiFetch<{ job: { id: string } }>('/api/models/rounds', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: (r) => setShownJob(r.job.id),
    onSettled: refresh,
  });
  const cancel = useMutation({ mutationFn: (id: string) => apiFetch(`/api/jobs/${id}`, { method: 'DELETE' }), onSettled: refresh });
  const promote = useMutation({
    mutationFn: (v: VersionRow) => apiFetch(`/api/models/versions/${v.id}/promote`, { method: 'POST', body: JSON.stringify({}) }),
    onSettled: refresh,
  });

  function onStart(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const epochs = Number(form.get('epochs'));
    start.mutate({ fromScratch: form.get('fromScratch') === 'on', includeUtkTest: form.get('includeUtkTest') === 'on', ...(epochs > 0 ? { epochs } : {}) });
  }

  const data = list.data;
  const rounds = data?.jobs.filter((j) => j.kind === 'TRAIN') ?? [];
  const liveRound = rounds.find((j) => isLive(j.status));
  const jobToShow = shownJob ?? liveRound?.id ?? rounds[0]?.id ?? null;
  const version = data?.versions.find((v) => v.id === selected) ?? data?.versions.filter((v) => v.metrics?.heldOut).at(-1) ?? null;

  function onPromote(v: VersionRow) {
    const what = v.status === 'REJECTED' || v.status === 'CANDIDATE' ? `Promote ${v.version} although the gate did not?` : `Roll back to ${v.version}?`;
    if (window.confirm(`${what} Browsers switch to it and the queue is re-scored.`)) promote.mutate(v);
  }

  return (
    <>
      <h1>Models</h1>
      {data?.problems.map((p) => (
        <p key={p} className="error" role="alert">{p}</p>
      ))}
      <section className="card">
        <p>
          Browsers use <strong data-testid="served-version">{data?.served?.version ?? '…'}</strong>
          {' · '}
          <span data-testid="new-labels">{data?.newLabels ?? '…'}</span> faces labeled since the last round.
        </p>
        <form className="form inline" onSubmit={onStart} aria-label="Start a round">
          <label className="inline-check"><input type="checkbox" name="fromScratch" /> from scratch (instead of warm-starting from the active version)</label>
          <label className="inline-check"><input type="checkbox" name="includeUtkTest" /> also report the UTKFace test split (if the data set is on the server; slow the first time)</label>
          <label>max epochs <input type="number" name="epochs" min={1} max={500} placeholder="auto" style={{ width: 80 }} /></label>
          <button type="submit" disabled={start.isPending || Boolean(liveRound)}>{liveRound ? 'Round in progress' : 'Start round'}</button>
        </form>
        {start.error && <p className="error" role="alert">{start.error.message}</p>}
        {promote.error && <p className="error" role="alert">{promote.error.message}</p>}
        <p className="muted small">
          A round trains on every labeled, reviewed and imported face outside the held-out set (10% of images, fixed by each image’s
          content hash, never trained on) and is promoted only if it beats the active version there: age MAE not worse by more than
          0.05 years, gender accuracy not worse by more than 0.5 points (or one held-out face, whichever is larger), and better on one of them.
        </p>
      </section>
      {jobToShow && <RoundProgress key={jobToShow} jobId={jobToShow} onCancel={(id) => cancel.mutate(id)} />}
      <h2>Versions</h2>
      {data && <VersionsTable versions={data.versions} selected={version?.id ?? null} onSelect={setSelected} onPromote={onPromote} busy={promote.isPending} />}
      {data && <MetricsChart versions={data.versions} />}
      {version?.metrics?.heldOut && (
        <>
          <h2>Where is {version.version} worst? (held-out, vs. its parent on the same faces)</h2>
          <FairnessTable report={version.metrics.heldOut} parent={version.metrics.parentHeldOut} />
        </>
      )}
      <DetectorSection />
      <h2>Recent rounds, re-scores and background feature extraction</h2>
      <table className="table" data-testid="model-jobs">
        <thead><tr><th>Started</th><th>Kind</th><th>Status</th><th>Result</th><th /></tr></thead>
        <tbody>
          {data?.jobs.map((j) => (
            <tr key={j.id} data-status={j.status}>
              <td>{new Date(j.createdAt).toLocaleString()}</td>
              <td>{jobKindLabel(j.kind)}{j.kind === 'FEATURES' && isLive(j.status) ? ` ${Math.round(100 * j.progress)}%` : ''}</td>
              <td>{j.status.toLowerCase()}{j.error ? `: ${j.error}` : ''}</td>
              <td className="small">{j.result ? JSON.stringify(j.result).slice(0, 160) : ''}</td>
              <td><button type="button" className="link" onClick={() => setShownJob(j.id)}>Show log</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
