'use client';

import { type Report, type Summary, fmt, pct } from './types';

/**
 * The fairness report: held-out error per age band × gender × race cell, worst first; the three
 * worst cells with at least `minN` faces are highlighted. Beside it, the parent on the same faces.
 */
export function FairnessTable({ report, parent, minN = 3 }: { report: Report; parent?: Report; minN?: number }) {
  const rows = Object.entries(report.byGroup ?? {}).sort((a, b) => (b[1].ageMae ?? 0) - (a[1].ageMae ?? 0));
  const worst = new Set(rows.filter(([, s]) => s.n >= minN).slice(0, 3).map(([k]) => k));
  const line = (label: string, s: Summary, p?: Summary) => (
    <tr key={label} className={worst.has(label) ? 'worst' : undefined} style={worst.has(label) ? { background: '#fde8e8', fontWeight: 600 } : undefined}>
      <td>{label}</td><td>{s.n}</td><td>{fmt(s.ageMae)}</td><td>{fmt(p?.ageMae)}</td><td>{pct(s.genderAccuracy)}</td><td>{pct(p?.genderAccuracy)}</td><td>{pct(s.binWithin1)}</td>
    </tr>
  );
  const section = (title: string, groups: Record<string, Summary>, parentGroups?: Record<string, Summary>) => (
    <tbody key={title}>
      <tr><th colSpan={7}>{title}</th></tr>
      {Object.entries(groups).map(([k, s]) => line(k, s, parentGroups?.[k]))}
    </tbody>
  );
  return (
    <table className="table small" data-testid="fairness">
      <thead>
        <tr><th>Group</th><th>n</th><th>MAE</th><th>MAE (parent)</th><th>Gender acc.</th><th>(parent)</th><th>Bin ±1</th></tr>
      </thead>
      {section('Age band', report.byAgeBand, parent?.byAgeBand)}
      {section('Gender', report.byGender, parent?.byGender)}
      {section('Race', report.byRace, parent?.byRace)}
      {report.byDataset && section('Dataset', report.byDataset, parent?.byDataset)}
      <tbody>
        <tr><th colSpan={7}>Age band × gender × race (worst first; highlighted: the 3 worst with n ≥ {minN})</th></tr>
        {rows.map(([k, s]) => line(k, s, parent?.byGroup?.[k]))}
      </tbody>
    </table>
  );
}
