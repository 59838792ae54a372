'use client';

import { LineChart } from '@/components/charts/line-chart';
import type { VersionRow } from './types';

/** Held-out age MAE and gender error across rounds (versions with held-out metrics, oldest first). */
export function MetricsChart({ versions }: { versions: VersionRow[] }) {
  const rows = versions.filter((v) => v.metrics?.heldOut);
  if (rows.length === 0) return <p className="muted">No round has been evaluated on Facet’s held-out set yet.</p>;
  return (
    <LineChart
      title="Held-out metrics across rounds: age MAE (years) and gender error (%)"
      categories={rows.map((v) => v.version)}
      series={[
        { name: 'age MAE', color: '#3b6fd8', values: rows.map((v) => v.metrics!.heldOut!.overall.ageMae ?? 0) },
        { name: 'gender error %', color: '#c94f4f', values: rows.map((v) => 100 * (1 - (v.metrics!.heldOut!.overall.genderAccuracy ?? 1))) },
      ]}
    />
  );
}
