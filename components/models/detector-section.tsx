'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { LineChart } from '@/components/charts/line-chart';
import { apiFetch } from '@/lib/client/api';
import type { DatasetCalibration } from '@/lib/api/models/detector-calibration';
import type { SweepRow } from '@/lib/domain/detector-calibration';
import { pct } from './types';

type DetectorView = { defaultThreshold: number; maxImages: number; min: { images: number; faces: number }; datasets: DatasetCalibration[] };

const t2 = (t: number) => t.toFixed(2);
const pc = (v: number | null) => (v === null ? 0 : Math.round(1000 * v) / 10);

/**
 * The face detector against the boxes people finished, per dataset: precision, recall and F1 at IoU 0.5
 * at the threshold in use, the threshold sweep, the recommended threshold and "Apply" (audited).
 */
export function DetectorSection() {
  const queryClient = useQueryClient();
  const view = useQuery({ queryKey: ['detector'], queryFn: () => apiFetch<DetectorView>('/api/models/detector'), staleTime: 60_000 });
  const apply = useMutation({
    mutationFn: (body: { datasetId: string; threshold: number | null; evidence?: object }) =>
      apiFetch('/api/models/detector/threshold', { method: 'POST', body: JSON.stringify(body) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['detector'] }),
  });
  const data = view.data;

  function onApply(d: DatasetCalibration, r: SweepRow) {
    const ok = window.confirm(
      `Pre-labels of “${d.name}” will keep faces from detector score ${t2(r.threshold)} (now ${t2(d.inUse)}). ` +
        'Images already pre-labeled keep their faces; the next pre-label runs use the new threshold.',
    );
    const atInUse = d.calibration.sweep.find((s) => s.threshold === d.inUse);
    if (ok) apply.mutate({ datasetId: d.id, threshold: r.threshold, evidence: { images: d.calibration.sweepImages, f1: r.f1, currentF1: atInUse?.f1 ?? null } });
  }

  return (
    <section aria-label="Detector" data-testid="detector">
      <h2>Detector</h2>
      <p className="muted small">
        The face detector’s boxes (as it saved them, with their scores) against the boxes people finished: images with no face left
        unlabeled, where a person labeled, reviewed, skipped, drew or deleted a face. A detection is right when it overlaps a human box by
        IoU ≥ 0.5 (best score first, one box each); human boxes left over are misses; detections on skipped faces are not counted.
        Below-threshold candidates (down to 0.30) are kept with each pre-label, so lowering the threshold can be evaluated on images
        pre-labeled since; older images only allow raising it.
      </p>
      {view.error && <p className="error" role="alert">{view.error.message}</p>}
      {apply.error && <p className="error" role="alert">{apply.error.message}</p>}
      {data?.datasets.map((d) => <DatasetDetector key={d.id} d={d} defaultThreshold={data.defaultThreshold} maxImages={data.maxImages} busy={apply.isPending} onApply={onApply} onReset={() => apply.mutate({ datasetId: d.id, threshold: null })} />)}
    </section>
  );
}

function DatasetDetector({ d, defaultThreshold, maxImages, busy, onApply, onReset }: {
  d: DatasetCalibration;
  defaultThreshold: number;
  maxImages: number;
  busy: boolean;
  onApply: (d: DatasetCalibration, r: SweepRow) => void;
  onReset: () => void;
}) {
  const c = d.calibration;
  const r = c.recommended;
  // Thresholds that keep no detection have no precision: not drawn (the line would fall to 0).
  const drawn = c.sweep.filter((s) => s.precision !== null);
  const atInUse = c.sweep.find((s) => s.threshold === d.inUse);
  return (
    <div className="card" data-testid="detector-dataset" data-dataset={d.name}>
      <h3>{d.name}</h3>
      <p>
        Threshold in use: <strong data-testid="detector-in-use">{t2(d.inUse)}</strong>{' '}
        {d.threshold === null ? <span className="muted">(the detector’s default)</span> : (
          <>
            <span className="muted">(set for this dataset; default {t2(defaultThreshold)})</span>{' '}
            <button type="button" className="link" disabled={busy} onClick={onReset}>use the default</button>
          </>
        )}
        {d.prelabeledAt.length > 0 && (
          <span className="muted small" data-testid="detector-prelabeled-at">
            {' · pre-labeled at '}
            {d.prelabeledAt.map((p) => `${t2(p.threshold)} (${p.images} image${p.images === 1 ? '' : 's'})`).join(', ')}
          </span>
        )}
      </p>
      {c.images === 0 ? (
        <p className="muted" data-testid="detector-why">{c.why}</p>
      ) : (
        <>
          <table className="table" data-testid="detector-figures">
            <thead>
              <tr><th>At {t2(d.inUse)}</th><th>Images</th><th>Human boxes</th><th>Detections</th><th>Hits</th><th>Misses</th><th>False positives</th><th>On skipped faces</th><th>Precision</th><th>Recall</th><th>F1</th></tr>
            </thead>
            <tbody>
              <tr>
                <td>IoU ≥ 0.5</td>
                <td data-testid="detector-images">{c.images}</td>
                <td data-testid="detector-human">{c.humanBoxes}</td>
                <td data-testid="detector-detections">{c.detections}</td>
                <td>{c.current.tp}</td>
                <td data-testid="detector-misses">{c.current.fn}</td>
                <td data-testid="detector-fp">{c.current.fp}</td>
                <td>{c.current.ignored}</td>
                <td data-testid="detector-precision">{pct(c.current.precision)}</td>
                <td data-testid="detector-recall">{pct(c.current.recall)}</td>
                <td data-testid="detector-f1">{pct(c.current.f1)}</td>
              </tr>
            </tbody>
          </table>
          <LineChart
            title={`${d.name}: precision, recall and F1 (%) by detector threshold (in use: ${t2(d.inUse)})`}
            categories={drawn.map((s) => t2(s.threshold))}
            labelEvery={2}
            series={[
              { name: 'precision %', color: '#3b6fd8', values: drawn.map((s) => pc(s.precision)) },
              { name: 'recall %', color: '#2f9e6b', values: drawn.map((s) => pc(s.recall)) },
              { name: 'F1 %', color: '#c94f4f', values: drawn.map((s) => pc(s.f1)) },
            ]}
          />
          {r === null ? (
            <p className="muted" data-testid="detector-why">{c.why}</p>
          ) : r.change ? (
            <p data-testid="detector-recommendation">
              Recommended threshold <strong data-testid="detector-recommended">{t2(r.threshold)}</strong>: F1 {pct(r.f1)} (precision {pct(r.precision)},
              recall {pct(r.recall)}) against {pct(atInUse?.f1 ?? null)} at {t2(d.inUse)}.{' '}
              <button type="button" disabled={busy} onClick={() => onApply(d, r)}>Apply recommended threshold</button>
            </p>
          ) : (
            <p data-testid="detector-recommendation">The threshold in use, {t2(d.inUse)}, has the best F1 measured ({pct(c.current.f1)}); nothing to change.</p>
          )}
          <ul className="muted small">
            {c.sweepImages < c.images && (
              <li>The chart and the recommendation use the {c.sweepImages} images pre-labeled with detections down to {t2(c.evaluableFrom)}; the other {c.images - c.sweepImages} allow raising the threshold only.</li>
            )}
            {c.evaluableFrom > 0.05 && <li>Thresholds under {t2(c.evaluableFrom)} cannot be evaluated: some images were pre-labeled without the detections under it.</li>}
            {c.unscored > 0 && <li>{c.unscored} deleted detection{c.unscored === 1 ? '' : 's'} of older images had no recorded score; they count as kept at every threshold.</li>}
            {d.capped && <li>Only the newest {maxImages} finished images are evaluated.</li>}
          </ul>
        </>
      )}
    </div>
  );
}
