import type { PageContext } from './context.js';

/**
 * Charts drawn on the server as SVG, each followed by the same numbers as a
 * table: the SVG is hidden from screen readers (aria-hidden), the table is
 * what they read. No script, no external fonts; colours meet 3:1 against white.
 */
const COLORS = ['#005ea2', '#b50909', '#00687d', '#5c1111', '#4d8055'];

export interface Series {
  key: string;
  label: string;
}

/** A stacked bar per row (for example, reach per month split by source). */
export function StackedBars({ ctx, caption, rows, series, labelHeader }: { ctx: PageContext; caption: string; rows: { label: string; values: Record<string, number> }[]; series: Series[]; labelHeader: string }) {
  const { fmt } = ctx;
  const width = 640;
  const barHeight = 22;
  const gap = 8;
  const left = 90;
  const right = 80;
  const height = rows.length * (barHeight + gap) + 30;
  const max = Math.max(1, ...rows.map((r) => series.reduce((s, x) => s + (r.values[x.key] ?? 0), 0)));
  const scale = (v: number) => (v / max) * (width - left - right);
  return (
    <figure class="convene-chart">
      <figcaption class="text-bold margin-bottom-1">{caption}</figcaption>
      {rows.length > 0 && (
        <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-hidden="true" focusable="false" class="convene-chart__svg">
          {rows.map((r, i) => {
            let x = left;
            const y = i * (barHeight + gap);
            const total = series.reduce((s, k) => s + (r.values[k.key] ?? 0), 0);
            return (
              <g>
                <text x={left - 6} y={y + barHeight * 0.7} text-anchor="end" font-size="12" fill="#1b1b1b">
                  {r.label}
                </text>
                {series.map((s, j) => {
                  const w = scale(r.values[s.key] ?? 0);
                  const rect = <rect x={x} y={y} width={Math.max(0, w)} height={barHeight} fill={COLORS[j % COLORS.length]} />;
                  x += w;
                  return rect;
                })}
                <text x={x + 6} y={y + barHeight * 0.7} font-size="12" fill="#1b1b1b">
                  {fmt.number(total)}
                </text>
              </g>
            );
          })}
          <g transform={`translate(${left}, ${height - 14})`}>
            {series.map((s, j) => (
              <g transform={`translate(${j * 170}, 0)`}>
                <rect width="12" height="12" y="-10" fill={COLORS[j % COLORS.length]} />
                <text x="18" font-size="12" fill="#1b1b1b">
                  {s.label}
                </text>
              </g>
            ))}
          </g>
        </svg>
      )}
      <DataTable ctx={ctx} caption={caption} labelHeader={labelHeader} rows={rows} series={series} />
    </figure>
  );
}

/** The numbers behind a chart, always present (screen readers, printing, copying). */
export function DataTable({ ctx, caption, labelHeader, rows, series }: { ctx: PageContext; caption: string; labelHeader: string; rows: { label: string; values: Record<string, number> }[]; series: Series[] }) {
  const { t, fmt } = ctx;
  if (rows.length === 0) return <p class="usa-hint">{t('reach.no_data')}</p>;
  return (
    <div class="convene-table-scroll">
      <table class="usa-table usa-table--borderless usa-table--compact convene-full">
        <caption class="usa-sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{labelHeader}</th>
            {series.map((s) => (
              <th scope="col" class="text-right">
                {s.label}
              </th>
            ))}
            {series.length > 1 && (
              <th scope="col" class="text-right">
                {t('reach.total')}
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.label}</th>
              {series.map((s) => (
                <td class="text-right">{fmt.number(r.values[s.key] ?? 0)}</td>
              ))}
              {series.length > 1 && <td class="text-right">{fmt.number(series.reduce((sum, s) => sum + (r.values[s.key] ?? 0), 0))}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Progress toward the goal as a bar with its numbers in text. */
export function GoalMeter({ ctx, value, goal }: { ctx: PageContext; value: number; goal: number }) {
  const { t, fmt } = ctx;
  const pct = goal > 0 ? Math.min(100, (value / goal) * 100) : 0;
  return (
    <div class="convene-goal">
      <p class="font-sans-lg margin-y-1">
        <strong>{fmt.number(value)}</strong> {t('reach.of_goal', { goal: fmt.number(goal), pct: fmt.percent(pct / 100) })}
      </p>
      <svg viewBox="0 0 100 6" width="100%" height="24" preserveAspectRatio="none" aria-hidden="true" focusable="false">
        <rect width="100" height="6" fill="#dfe1e2" />
        <rect width={pct} height="6" fill="#005ea2" />
      </svg>
    </div>
  );
}
