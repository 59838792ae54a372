'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { LineChart } from '@/components/charts/line-chart';
import { AgreementCell, Figure, fmt, perHour, rateText, sessionText } from '@/components/progress/figures';
import type { AnnotateStats } from '@/components/progress/stats';
import { ProgressBar } from '@/components/progress-bar';
import { apiFetch } from '@/lib/client/api';
import { personName } from '@/lib/client/review';

type Dataset = { id: string; name: string; _count: { images: number } };

const REFRESH_MS = 15_000;
const MINE = '#2f5bea';
const TOTAL = '#f0a33a';
const hourLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

export function ProgressPageClient({ seesEveryone }: { seesEveryone: boolean }) {
  const searchParams = useSearchParams();
  const datasetId = searchParams.get('datasetId') ?? '';
  const setDataset = (id: string) => window.history.replaceState(null, '', id ? `?datasetId=${encodeURIComponent(id)}` : window.location.pathname);

  const datasets = useQuery({ queryKey: ['datasets'], queryFn: () => apiFetch<{ datasets: Dataset[] }>('/api/datasets') });
  const stats = useQuery({
    queryKey: ['annotate-stats', datasetId],
    queryFn: () => apiFetch<AnnotateStats>(`/api/annotate/stats${datasetId ? `?datasetId=${encodeURIComponent(datasetId)}` : ''}`),
    refetchInterval: REFRESH_MS,
    staleTime: 0,
    placeholderData: keepPreviousData,
  });
  const s = stats.data;
  const done = s ? s.overall.labeled + s.overall.skipped + s.overall.imported : 0;

  return (
    <div className="progress-page">
      <div className="progress-head">
        <h1>Progress</h1>
        <select value={datasetId} onChange={(e) => setDataset(e.target.value)} aria-label="Dataset">
          <option value="">all datasets</option>
          {datasets.data?.datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
        <span className="spacer" />
        <span className="muted small" data-testid="updated-at">
          {stats.isFetching ? 'refreshing…' : s ? `updated ${clock.format(new Date(stats.dataUpdatedAt))}` : ''} · refreshes every 15 s
        </span>
        <button type="button" className="secondary" onClick={() => stats.refetch()} disabled={stats.isFetching}>
          Refresh
        </button>
      </div>
      {stats.error && (
        <p className="error" role="alert">
          Could not load progress: {stats.error.message}
        </p>
      )}
      {!s ? (
        !stats.error && <p className="muted">Loading…</p>
      ) : (
        <>
          <div className="progress-cards">
            <section className="card figures" aria-label="Me" data-testid="me">
              <h2>You{s.me ? <span className="muted"> · {s.me.user.email}</span> : null}</h2>
              <div className="figure-row">
                <Figure testId="me-labeled" label="labeled" value={fmt(s.me?.labeled ?? 0)} detail={`${fmt(s.me?.reviewed ?? 0)} reviewed`} />
                <Figure testId="me-skipped" label="skipped" value={fmt(s.me?.skipped ?? 0)} />
                <Figure testId="me-rate" label="faces / hour" value={s.me ? perHour(s.me) : '–'} detail={s.me ? `session: ${sessionText(s.me)}` : undefined} />
                <Figure
                  testId="me-agreement"
                  label="agree with model"
                  value={s.me ? rateText(s.me.agreement) : '–'}
                  detail={s.me ? `${s.me.agreement.agreed} of ${s.me.agreement.compared}` : undefined}
                />
                <Figure testId="me-24h" label="saves, last 24 h" value={fmt(s.me?.last24h ?? 0)} />
              </div>
            </section>
            <section className="card figures" aria-label="Overall" data-testid="overall">
              <h2>{datasetId ? 'This dataset' : 'All datasets'}</h2>
              <div className="figure-row">
                <Figure testId="overall-labeled" label="labeled" value={fmt(s.overall.labeled)} detail={`${fmt(s.overall.reviewed)} reviewed`} />
                <Figure testId="overall-skipped" label="skipped" value={fmt(s.overall.skipped)} />
                <Figure
                  testId="overall-remaining"
                  label="remaining"
                  value={fmt(s.overall.remaining)}
                  detail={`${fmt(s.overall.inProgress)} being labeled now`}
                />
                <Figure testId="overall-rate" label={seesEveryone ? 'faces / hour (all)' : 'faces / hour (yours)'} value={perHour(s.overall)} />
                <Figure
                  testId="overall-agreement"
                  label="agree with model"
                  value={rateText(s.overall.agreement)}
                  detail={`${s.overall.agreement.agreed} of ${s.overall.agreement.compared}`}
                />
                <Figure
                  testId="overall-random"
                  label="random slice agrees"
                  value={rateText(s.overall.randomSlice)}
                  detail={`${s.overall.randomSlice.agreed} of ${s.overall.randomSlice.compared} (unbiased)`}
                />
              </div>
              <ProgressBar
                value={s.overall.faces ? done / s.overall.faces : 0}
                label={`${fmt(done)} of ${fmt(s.overall.faces)} faces done (${s.overall.faces ? Math.round((done / s.overall.faces) * 100) : 0}%)`}
              />
            </section>
          </div>

          <LineChart
            title={seesEveryone ? 'Saves per hour, last 24 h: mine vs. everyone' : 'My saves per hour, last 24 h'}
            categories={s.series.hours.map((h) => hourLabel.format(new Date(h)))}
            series={
              seesEveryone
                ? [
                    { name: 'everyone', color: TOTAL, values: s.series.total, area: true },
                    { name: 'mine', color: MINE, values: s.series.mine },
                  ]
                : [{ name: 'mine', color: MINE, values: s.series.mine, area: true }]
            }
            width={1100}
            height={190}
            labelEvery={3}
          />

          {seesEveryone && (
            <section aria-label="Per annotator">
              <h2>Per annotator</h2>
              <table className="table progress-table" data-testid="annotators">
                <thead>
                  <tr>
                    <th>Annotator</th>
                    <th className="num">Labeled</th>
                    <th className="num">Reviewed</th>
                    <th className="num">Skipped</th>
                    <th className="num">Agree with model</th>
                    <th className="num">Faces / hour</th>
                    <th className="num">Saves, 24 h</th>
                    <th>Session</th>
                  </tr>
                </thead>
                <tbody>
                  {s.annotators.length === 0 && (
                    <tr>
                      <td colSpan={8} className="muted">
                        Nobody has labeled anything yet.
                      </td>
                    </tr>
                  )}
                  {s.annotators.map((a) => (
                    <tr key={a.user.id} data-email={a.user.email} className={a.user.id === s.me?.user.id ? 'me' : undefined}>
                      <td title={a.user.email}>
                        {personName(a.user)} <span className="muted small">{a.user.email}</span>
                      </td>
                      <td className="num" data-col="labeled">{fmt(a.labeled)}</td>
                      <td className="num" data-col="reviewed">{fmt(a.reviewed)}</td>
                      <td className="num" data-col="skipped">{fmt(a.skipped)}</td>
                      <td className="num" data-col="agreement"><AgreementCell a={a.agreement} /></td>
                      <td className="num" data-col="rate">{perHour(a)}</td>
                      <td className="num" data-col="last24h">{fmt(a.last24h)}</td>
                      <td className="muted">{sessionText(a)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}

          <section aria-label="Per dataset">
            <h2>Per dataset</h2>
            <table className="table progress-table" data-testid="datasets">
              <thead>
                <tr>
                  <th>Dataset</th>
                  <th className="num">Faces</th>
                  <th className="num">Labeled</th>
                  <th className="num">Reviewed</th>
                  <th className="num">Skipped</th>
                  <th className="num">Imported</th>
                  <th className="num">Remaining</th>
                  <th style={{ width: 180 }}>Done</th>
                  <th className="num">Agree with model</th>
                  <th className="num">Faces / hour</th>
                  <th className="num">Saves, 24 h</th>
                </tr>
              </thead>
              <tbody>
                {s.datasets.map((d) => {
                  const finished = d.labeled + d.skipped + d.imported;
                  return (
                    <tr key={d.dataset.id} data-dataset={d.dataset.name}>
                      <td>{d.dataset.name}</td>
                      <td className="num" data-col="faces">{fmt(d.faces)}</td>
                      <td className="num" data-col="labeled">{fmt(d.labeled)}</td>
                      <td className="num" data-col="reviewed">{fmt(d.reviewed)}</td>
                      <td className="num" data-col="skipped">{fmt(d.skipped)}</td>
                      <td className="num" data-col="imported">{fmt(d.imported)}</td>
                      <td className="num" data-col="remaining">{fmt(d.remaining)}</td>
                      <td>
                        <div className="mini-bar" title={`${finished} of ${d.faces}`}>
                          <div style={{ width: `${d.faces ? (finished / d.faces) * 100 : 0}%` }} />
                        </div>
                      </td>
                      <td className="num" data-col="agreement"><AgreementCell a={d.agreement} /></td>
                      <td className="num" data-col="rate">{perHour(d)}</td>
                      <td className="num" data-col="last24h">{fmt(d.last24h)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
