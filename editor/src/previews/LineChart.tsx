/**
 * A small SVG line chart (metric series, ROC and precision-recall curves): a title, axes with a few
 * ticks, one coloured line per series with a legend, and the numbers as a table behind a
 * disclosure for screen readers and for copying. No chart library: a few dozen points need none.
 */
import { useId, useState, type ReactElement } from 'react';

export interface ChartSeries {
  label: string;
  points: { x: number; y: number }[];
}

export interface LineChartProps {
  title: string;
  series: ChartSeries[];
  xLabel: string;
  yLabel: string;
  /** Fixed axis ranges (ROC/PR: [0, 1]); otherwise from the data. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** ROC: the chance line from (0,0) to (1,1). */
  diagonal?: boolean;
  width?: number;
  height?: number;
  /** A colour per series (the compare view keeps a run's colour across charts); the palette otherwise. */
  colours?: readonly string[];
  /** Dots on every point (points that are separate records, e.g. runs, not a dense curve). */
  dots?: boolean;
  /** How an x value reads (a tick, a table cell): e.g. a date for runs over time. */
  formatX?: (x: number) => string;
}

/** Colour-blind-safe (Okabe–Ito), each ≥ 3:1 against white for lines. */
export const SERIES_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#8a6d00', '#56589e', '#000000'];

/** Rows per series in the fallback table. */
const TABLE_ROWS = 1000;

const PAD = { left: 48, right: 12, top: 12, bottom: 36 };

function extent(values: number[], fallback: [number, number]): [number, number] {
  if (values.length === 0) return fallback;
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.1 || 1;
    hi += Math.abs(hi) * 0.1 || 1;
  }
  return [lo, hi];
}

/** Up to `count` round tick values across a range. */
export function ticks([lo, hi]: [number, number], count = 4): number[] {
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export const formatNumber = (v: number): string => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3));

export function LineChart(props: LineChartProps): ReactElement {
  const { title, series, xLabel, yLabel, diagonal } = props;
  const formatX = props.formatX ?? formatNumber;
  const colourOf = (i: number): string => props.colours?.[i] ?? (SERIES_COLOURS[i % SERIES_COLOURS.length] as string);
  const width = props.width ?? 360;
  const height = props.height ?? 220;
  const id = useId();
  const [open, setOpen] = useState(false);
  const all = series.flatMap((s) => s.points);
  const [x0, x1] = props.xDomain ?? extent(all.map((p) => p.x), [0, 1]);
  const [y0, y1] = props.yDomain ?? extent(all.map((p) => p.y), [0, 1]);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const sx = (x: number): number => PAD.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number): number => PAD.top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;
  const summary = series.map((s) => `${s.label}: ${s.points.length} points`).join('; ');
  return (
    <figure className="chart">
      <figcaption id={`${id}-title`} className="chart-title">
        {title}
      </figcaption>
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`}>
        <desc id={`${id}-desc`}>{`${yLabel} by ${xLabel}. ${summary}`}</desc>
        <rect x={PAD.left} y={PAD.top} width={plotW} height={plotH} fill="#fff" stroke="#d0d5dd" />
        {ticks([y0, y1]).map((t) => (
          <g key={`y${t}`}>
            <line x1={PAD.left} x2={PAD.left + plotW} y1={sy(t)} y2={sy(t)} stroke="#eef0f3" />
            <text x={PAD.left - 4} y={sy(t) + 4} textAnchor="end" fontSize="10" fill="#4a5568">
              {formatNumber(t)}
            </text>
          </g>
        ))}
        {ticks([x0, x1]).map((t) => (
          <text key={`x${t}`} x={sx(t)} y={PAD.top + plotH + 14} textAnchor="middle" fontSize="10" fill="#4a5568">
            {formatX(t)}
          </text>
        ))}
        <text x={PAD.left + plotW / 2} y={height - 4} textAnchor="middle" fontSize="11" fill="#1d2433">
          {xLabel}
        </text>
        <text x={12} y={PAD.top + plotH / 2} textAnchor="middle" fontSize="11" fill="#1d2433" transform={`rotate(-90 12 ${PAD.top + plotH / 2})`}>
          {yLabel}
        </text>
        {diagonal && <line x1={sx(x0)} y1={sy(y0)} x2={sx(x1)} y2={sy(y1)} stroke="#98a2b3" strokeDasharray="4 4" />}
        {series.map((s, i) => {
          const colour = colourOf(i);
          const pts = s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
          return (
            <g key={s.label} data-series={s.label}>
              <polyline points={pts} fill="none" stroke={colour} strokeWidth={2} />
              {(props.dots ? s.points : s.points.length === 1 ? s.points : []).map((p, k) => (
                <circle key={k} cx={sx(p.x)} cy={sy(p.y)} r={3} fill={colour} />
              ))}
            </g>
          );
        })}
      </svg>
      {series.length > 1 && (
        <ul className="chart-legend">
          {series.map((s, i) => (
            <li key={s.label}>
              <span className="swatch" style={{ background: colourOf(i) }} aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ul>
      )}
      <details className="chart-data" onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>Data table: {title}</summary>
        {/* Rendered only when opened: a 7,000-epoch loss curve is 7,000 rows nobody asked for yet. */}
        {open && (
          <table>
            <thead>
              <tr>
                {series.length > 1 && <th scope="col">series</th>}
                <th scope="col">{xLabel}</th>
                <th scope="col">{yLabel}</th>
              </tr>
            </thead>
            <tbody>
              {series.flatMap((s) =>
                s.points.slice(0, TABLE_ROWS).map((p, i) => (
                  <tr key={`${s.label}-${i}`}>
                    {series.length > 1 && <td>{s.label}</td>}
                    <td>{formatX(p.x)}</td>
                    <td>{formatNumber(p.y)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        )}
        {open && series.some((s) => s.points.length > TABLE_ROWS) && <p className="muted">First {TABLE_ROWS} points of each series shown.</p>}
      </details>
    </figure>
  );
}
