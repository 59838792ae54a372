import { YGrid } from './y-grid';

type Series = { name: string; color: string; values: number[]; area?: boolean };

/**
 * A plain SVG line chart (no chart library), for short time series: one point per category,
 * optional filled area under a series, a dot with a tooltip at every point.
 */
export function LineChart({
  title,
  categories,
  series,
  height = 200,
  width = 720,
  labelEvery = 1,
}: {
  title: string;
  categories: string[];
  series: Series[];
  height?: number;
  width?: number;
  labelEvery?: number;
}) {
  const pad = { left: 36, right: 12, top: 14, bottom: 40 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const top = Math.max(4, ...series.flatMap((s) => s.values));
  const step = niceStep(top / 4);
  const max = Math.ceil(top / step) * step;
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
  const x = (i: number) => pad.left + (categories.length <= 1 ? plotW / 2 : (i / (categories.length - 1)) * plotW);
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  const base = pad.top + plotH;

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={title}>
        <YGrid ticks={ticks} y={y} left={pad.left} right={width - pad.right} />
        {categories.map((cat, i) =>
          i % labelEvery === 0 || i === categories.length - 1 ? (
            <text key={cat} x={x(i)} y={base + 14} textAnchor={i === 0 ? 'start' : i === categories.length - 1 ? 'end' : 'middle'} fontSize="10" fill="#5d6472">
              {cat}
            </text>
          ) : null,
        )}
        {series.map((s) => {
          const points = s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
          return (
            <g key={s.name}>
              {s.area && s.values.length > 0 && (
                <polygon points={`${x(0)},${base} ${points} ${x(s.values.length - 1)},${base}`} fill={s.color} opacity={0.12} />
              )}
              <polyline points={points} fill="none" stroke={s.color} strokeWidth={2} strokeLinejoin="round" />
              {s.values.map((v, i) => (
                <circle key={i} cx={x(i)} cy={y(v)} r={v > 0 ? 2.5 : 1.5} fill={s.color}>
                  <title>{`${s.name} · ${categories[i]}: ${v}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
        {series.map((s, j) => (
          <g key={s.name} transform={`translate(${pad.left + j * 140}, ${height - 8})`}>
            <rect width="14" height="3" y="-5" fill={s.color} />
            <text x="18" fontSize="11" fill="#16181d">
              {s.name}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

/** 1, 2 or 5 × 10ⁿ, at least `raw` (axis steps people read at a glance). */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}
