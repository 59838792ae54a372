'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { BarChart } from '@/components/charts/bar-chart';
import { apiFetch } from '@/lib/client/api';
import { AGE_BIN_COUNT, binLabel } from '@/lib/domain/age-bins';
import { FACE_STATUSES, GENDER_LABEL, GENDERS, RACE_LABEL, RACES } from '@/lib/domain/labels';

type Counts = Record<string, number>;
type Stats = {
  images: number;
  faces: number;
  status: Counts;
  gender: { labels: Counts; predictions: Counts };
  race: { labels: Counts; predictions: Counts };
  age: {
    byYear: number[];
    median: number | null;
    labelBins: number[];
    predictionBins: number[];
    labelMedianBin: number | null;
    predictionMedianBin: number | null;
  };
};
type Dataset = { id: string; name: string; _count: { images: number } };

const LABEL_COLOR = '#2f5bea';
const PRED_COLOR = '#f0a33a';

export function DatasetsPageClient() {
  const [datasetId, setDatasetId] = useState('');
  const datasets = useQuery({ queryKey: ['datasets'], queryFn: () => apiFetch<{ datasets: Dataset[] }>('/api/datasets') });
  const stats = useQuery({
    queryKey: ['dataset-stats', datasetId],
    queryFn: () => apiFetch<Stats>(`/api/datasets/stats${datasetId ? `?datasetId=${datasetId}` : ''}`),
  });
  const s = stats.data;
  const byYear = s?.age.byYear ?? [];
  const lastAge = Math.max(10, byYear.findLastIndex((n) => n > 0) + 1);

  return (
    <>
      <h1>Datasets</h1>
      <label>
        Dataset{' '}
        <select value={datasetId} onChange={(e) => setDatasetId(e.target.value)} aria-label="Dataset">
          <option value="">all datasets</option>
          {datasets.data?.datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name} ({d._count.images} images)
            </option>
          ))}
        </select>
      </label>
      {stats.error && <p className="error">{stats.error.message}</p>}
      {s && (
        <>
          <p className="counts" data-testid="dataset-counts">
            <strong>{s.images}</strong> images · <strong>{s.faces}</strong> faces ·{' '}
            {FACE_STATUSES.map((st) => `${s.status[st] ?? 0} ${st.toLowerCase()}`).join(' · ')}
          </p>
          <div className="charts">
            <BarChart
              title={`Age distribution of labeled faces (median ${s.age.median ?? '–'})`}
              categories={Array.from({ length: lastAge }, (_, a) => String(a))}
              series={[{ name: 'labels', color: LABEL_COLOR, values: byYear.slice(0, lastAge) }]}
              marker={s.age.median !== null ? { at: s.age.median, label: `median ${s.age.median}` } : undefined}
              labelEvery={10}
            />
            <BarChart
              title={`Age bins: labels vs. predictions (median bin ${s.age.labelMedianBin !== null ? binLabel(s.age.labelMedianBin) : '–'} vs. ${s.age.predictionMedianBin !== null ? binLabel(s.age.predictionMedianBin) : '–'})`}
              categories={Array.from({ length: AGE_BIN_COUNT }, (_, b) => binLabel(b))}
              series={[
                { name: 'labels', color: LABEL_COLOR, values: s.age.labelBins },
                { name: 'predictions', color: PRED_COLOR, values: s.age.predictionBins },
              ]}
              labelEvery={2}
            />
            <BarChart
              title="Gender: labels vs. predictions"
              categories={GENDERS.map((g) => GENDER_LABEL[g])}
              series={[
                { name: 'labels', color: LABEL_COLOR, values: GENDERS.map((g) => s.gender.labels[g] ?? 0) },
                { name: 'predictions', color: PRED_COLOR, values: GENDERS.map((g) => s.gender.predictions[g] ?? 0) },
              ]}
            />
            <BarChart
              title="Race: labels vs. predictions"
              categories={RACES.map((r) => RACE_LABEL[r])}
              series={[
                { name: 'labels', color: LABEL_COLOR, values: RACES.map((r) => s.race.labels[r] ?? 0) },
                { name: 'predictions', color: PRED_COLOR, values: RACES.map((r) => s.race.predictions[r] ?? 0) },
              ]}
            />
          </div>
        </>
      )}
    </>
  );
}
