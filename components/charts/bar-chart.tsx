import { YGrid } from './y-grid';

type Series = { name: string; color: string; values: number[] };

/**
 * A plain SVG grouped bar chart (no chart library): one group per category, one bar per series,
 * an optional vertical marker (e.g. the median) at a fractional category position.
 */
export function BarChart({
  title,
  categories,
  series,
  marker,
  height = 220,
  labelEvery = 1,
}: {
  title: string;
  categories: string[];
  series: Series[];
  marker?: { at: number; label: string };
  height?: number;
  labelEvery?: number;
}) {
  const width = Math.max(360, categories.length * (series.length * 8 + 6) + 60);
  const pad = { left: 44, right: 12, top: 24, bottom: 34 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const groupW = plotW / Math.max(1, categories.length);
  const barW = Math.max(1, (groupW - 4) / series.length);
  const y = (v: number) => pad.top + plotH - (v / max) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * max));

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={title}>
        <YGrid ticks={ticks} y={y} left={pad.left} right={width - pad.right} />
        {categories.map((cat, i) => (
          <g key={cat}>
            {series.map((s, j) => (
              <rect
                key={s.name}
                x={pad.left + i * groupW + 2 + j * barW}
                y={y(s.values[i] ?? 0)}
                width={barW - 0.5}
                height={pad.top + plotH - y(s.values[i] ?? 0)}
                fill={s.color}
              >
                <title>{`${s.name} · ${cat}: ${s.values[i] ?? 0}`}</title>
              </rect>
            ))}
            {i % labelEvery === 0 && (
              <text x={pad.left + i * groupW + groupW / 2} y={height - pad.bottom + 14} textAnchor="middle" fontSize="10" fill="#5d6472">
                {cat}
              </text>
            )}
          </g>
        ))}
        {marker && (
          <g>
            <line
              x1={pad.left + marker.at * groupW + groupW / 2}
              x2={pad.left + marker.at * groupW + groupW / 2}
              y1={pad.top - 6}
              y2={pad.top + plotH}
              stroke="#c0362c"
              strokeDasharray="4 3"
            />
            <text x={pad.left + marker.at * groupW + groupW / 2 + 4} y={pad.top - 8} fontSize="11" fill="#c0362c">
              {marker.label}
            </text>
          </g>
        )}
        {series.length > 1 &&
          series.map((s, j) => (
            <g key={s.name} transform={`translate(${pad.left + j * 110}, ${height - 10})`}>
              <rect width="10" height="10" y="-9" fill={s.color} />
              <text x="14" fontSize="11" fill="#16181d">
                {s.name}
              </text>
            </g>
          ))}
      </svg>
    </figure>
  );
}
