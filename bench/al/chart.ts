/**
 * Charts of the active-learning curves: an SVG file (MAE and gender accuracy vs labels, one line
 * per policy, min–max band over repeats) and a small ASCII plot for the terminal. Pure string
 * building; no dependencies.
 */
import type { Curve } from './curves';

export type Series = { id: string; mean: Curve; runs: Curve[] };

const COLORS = ['#888888', '#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function panel(series: Series[], metric: 'mae' | 'genderAccuracy', title: string, x0: number, w: number, h: number): string {
  const pad = { l: 50, r: 24, t: 28, b: 36 };
  const pts = series.flatMap((s) => s.runs.flat());
  const xs = pts.map((p) => p.labels);
  const ys = pts.map((p) => (metric === 'mae' ? p.mae : 100 * p.genderAccuracy)).filter(Number.isFinite);
  const [xmin, xmax] = [Math.min(...xs), Math.max(...xs)];
  let [ymin, ymax] = [Math.min(...ys), Math.max(...ys)];
  const span = ymax - ymin || 1;
  ymin -= span * 0.05;
  ymax += span * 0.05;
  const X = (v: number) => x0 + pad.l + ((v - xmin) / (xmax - xmin || 1)) * (w - pad.l - pad.r);
  const Y = (v: number) => pad.t + (1 - (v - ymin) / (ymax - ymin)) * (h - pad.t - pad.b);
  const val = (p: Curve[number]) => (metric === 'mae' ? p.mae : 100 * p.genderAccuracy);
  const out: string[] = [`<text x="${x0 + w / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(title)}</text>`];
  for (let i = 0; i <= 4; i++) {
    const yv = ymin + ((ymax - ymin) * i) / 4;
    out.push(`<line x1="${X(xmin)}" x2="${X(xmax)}" y1="${Y(yv)}" y2="${Y(yv)}" stroke="#eee"/>`, `<text x="${x0 + pad.l - 4}" y="${Y(yv) + 4}" text-anchor="end">${yv.toFixed(metric === 'mae' ? 1 : 1)}</text>`);
    const xv = xmin + ((xmax - xmin) * i) / 4;
    out.push(`<text x="${X(xv)}" y="${h - pad.b + 16}" text-anchor="middle">${Math.round(xv)}</text>`);
  }
  out.push(`<text x="${x0 + w / 2}" y="${h - 4}" text-anchor="middle">labels</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    if (s.runs.length > 1) {
      const lo = s.mean.map((_, j) => Math.min(...s.runs.map((r) => val(r[j]))));
      const hi = s.mean.map((_, j) => Math.max(...s.runs.map((r) => val(r[j]))));
      const band = [...s.mean.map((p, j) => `${X(p.labels)},${Y(hi[j])}`), ...s.mean.map((p, j) => `${X(p.labels)},${Y(lo[j])}`).reverse()].join(' ');
      out.push(`<polygon points="${band}" fill="${color}" opacity="0.12"/>`);
    }
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="${i < 2 ? 2.5 : 1.5}" points="${s.mean.map((p) => `${X(p.labels)},${Y(val(p))}`).join(' ')}"/>`);
  });
  return out.join('\n');
}

export function curvesSvg(series: Series[], subtitle: string): string {
  const w = 520;
  const h = 340;
  const legend = series.map((s, i) => `<g transform="translate(${10 + (i % 4) * 260},${h + 18 + Math.floor(i / 4) * 18})"><rect width="14" height="4" y="-6" fill="${COLORS[i % COLORS.length]}"/><text x="20" y="0">${esc(s.id)}</text></g>`);
  const total = h + 30 + Math.ceil(series.length / 4) * 18;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * w}" height="${total + 20}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="white"/>',
    panel(series, 'mae', 'Age MAE (years) vs labels', 0, w, h),
    panel(series, 'genderAccuracy', 'Gender accuracy (%) vs labels', w, w, h),
    ...legend,
    `<text x="10" y="${total + 14}" fill="#555">${esc(subtitle)}</text>`,
    '</svg>',
  ].join('\n');
}

/** A rough terminal plot of MAE vs labels: one letter per policy (its first letter, or a digit). */
export function asciiChart(series: Series[], width = 60, height = 14): string {
  const pts = series.flatMap((s) => s.mean);
  const [xmin, xmax] = [Math.min(...pts.map((p) => p.labels)), Math.max(...pts.map((p) => p.labels))];
  const [ymin, ymax] = [Math.min(...pts.map((p) => p.mae)), Math.max(...pts.map((p) => p.mae))];
  const grid = Array.from({ length: height }, () => Array<string>(width).fill(' '));
  const marks = series.map((s, i) => (i === 0 ? 'r' : i === 1 ? 'F' : String(i)));
  series.forEach((s, i) => {
    for (const p of s.mean) {
      const c = Math.round(((p.labels - xmin) / (xmax - xmin || 1)) * (width - 1));
      const r = Math.round(((ymax - p.mae) / (ymax - ymin || 1)) * (height - 1));
      grid[r][c] = grid[r][c] === ' ' ? marks[i] : '*';
    }
  });
  const lines = grid.map((row, r) => `${(ymax - ((ymax - ymin) * r) / (height - 1)).toFixed(1).padStart(6)} |${row.join('')}`);
  lines.push(`${' '.repeat(7)}+${'-'.repeat(width)}`, `${' '.repeat(8)}${String(xmin).padEnd(width - String(xmax).length)}${xmax}  labels`);
  lines.push(`        ${series.map((s, i) => `${marks[i]} = ${s.id}`).join(', ')}; * = overlap`);
  return lines.join('\n');
}
