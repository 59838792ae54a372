/** Horizontal grid lines with their value labels, shared by the SVG charts. */
export function YGrid({ ticks, y, left, right }: { ticks: number[]; y: (v: number) => number; left: number; right: number }) {
  return ticks.map((t) => (
    <g key={t}>
      <line x1={left} x2={right} y1={y(t)} y2={y(t)} stroke="#e3e6ec" />
      <text x={left - 6} y={y(t) + 4} textAnchor="end" fontSize="10" fill="#5d6472">
        {t}
      </text>
    </g>
  ));
}
