/**
 * Plain-text tables for evaluation reports.
 */
import type { MetricReport, MetricSummary } from './metrics';

export type ReportRow = { name: string; report: MetricReport | null; fixed?: { ageMae: number; genderAccuracy: number; note: string } };

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(1)}%`);
const num = (v: number | null | undefined, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function overallTable(rows: ReportRow[]): string {
  return table(
    ['model', 'n', 'age MAE', 'gender acc', 'bin exact', 'bin ±1', 'gender ECE'],
    rows.map(({ name, report, fixed }) => {
      if (fixed) return [name, fixed.note, num(fixed.ageMae), pct(fixed.genderAccuracy), '–', '–', '–'];
      const o = report!.overall;
      return [name, String(o.n), num(o.ageMae), pct(o.genderAccuracy), pct(o.binExact), pct(o.binWithin1), num(o.genderEce, 3)];
    }),
  );
}

/** One table per grouping: rows = groups, columns = "MAE / acc / ±1" per model. */
export function groupTable(rows: ReportRow[], group: 'byAgeBand' | 'byGender' | 'byRace'): string {
  const models = rows.filter((r) => r.report);
  const keys = [...new Set(models.flatMap((r) => Object.keys(r.report![group])))];
  const cell = (s?: MetricSummary) => (s ? `${num(s.ageMae)} / ${pct(s.genderAccuracy)} / ${pct(s.binWithin1)}` : '–');
  return table(
    [group.replace('by', ''), 'n', ...models.map((m) => m.name)],
    keys.map((k) => [k, String(models[0].report![group][k]?.n ?? 0), ...models.map((m) => cell(m.report![group][k]))]),
  );
}
