/**
 * A parallel-coordinates plot (editor/src/compare/compareView.ts `parallelPlot` computes it): one
 * vertical axis per dimension, one polyline per row, broken where the row lacks a value. The
 * compare view draws runs coloured by their metric; a study draws trials, pruned ones in grey.
 */
import type { ReactElement } from 'react';
import type { Axis, ParallelPlot } from '../compare/compareView';

const PLOT = { width: 760, height: 300, top: 24, bottom: 40, left: 60, right: 60 };

export interface ParallelLineStyle {
  colour: string;
  /** The line's tooltip (its values, in words). */
  title: string;
  /** Drawn thinner and fainter, under the others (e.g. a pruned trial). */
  faint?: boolean;
}

export interface ParallelCoordinatesProps {
  plot: ParallelPlot;
  caption: string;
  /** What the figure shows, for screen readers. */
  label: string;
  /** How each line (by its id) is drawn. */
  style: (id: string, index: number) => ParallelLineStyle;
  /**
   * A row without a value on an axis: `break` the line there (the compare view: a run lacks a
   * value it should have), or `skip` the axis and join its neighbours (a study: a conditional
   * parameter that does not exist for that trial).
   */
  gaps?: 'break' | 'skip';
  width?: number;
  testId?: string;
}

/** The axis label under a dimension: its key without the compare view's `params.`/`metrics.` prefix. */
const axisName = (key: string): string => key.replace(/^(params|metrics)\./, '');

export function ParallelCoordinates({ plot, caption, label, style, gaps = 'break', width = PLOT.width, testId }: ParallelCoordinatesProps): ReactElement {
  const { axes, lines } = plot;
  const plotW = width - PLOT.left - PLOT.right;
  const plotH = PLOT.height - PLOT.top - PLOT.bottom;
  const ax = (d: number): number => PLOT.left + (axes.length === 1 ? plotW / 2 : (d / (axes.length - 1)) * plotW);
  const ay = (t: number): number => PLOT.top + plotH - t * plotH;
  const styled = lines.map((line, i) => ({ line, s: style(line.id, i) }));
  // Faint lines first, so the others are drawn over them.
  const ordered = [...styled.filter((l) => l.s.faint), ...styled.filter((l) => !l.s.faint)];
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="chart-title">{caption}</figcaption>
      <svg width={width} height={PLOT.height} viewBox={`0 0 ${width} ${PLOT.height}`} role="img" aria-label={label}>
        {ordered.map(({ line, s }) => {
          // A missing value breaks the line there or is passed over; never a made-up position.
          const segments: string[][] = [[]];
          line.positions.forEach((p, d) => {
            if (p === undefined) {
              if (gaps === 'break') segments.push([]);
            }
            else segments[segments.length - 1]?.push(`${ax(d).toFixed(1)},${ay(p).toFixed(1)}`);
          });
          return (
            <g key={line.id} data-line={line.id} data-faint={s.faint ? 'true' : undefined}>
              <title>{s.title}</title>
              {segments
                .filter((seg) => seg.length > 1)
                .map((seg, k) => (
                  <polyline key={k} points={seg.join(' ')} fill="none" stroke={s.colour} strokeWidth={s.faint ? 1.5 : 2} strokeOpacity={s.faint ? 0.5 : 0.8} />
                ))}
            </g>
          );
        })}
        {axes.map((a, d) => (
          <AxisLine key={a.key} axis={a} x={ax(d)} ay={ay} top={PLOT.top} bottom={PLOT.top + plotH} height={PLOT.height} />
        ))}
      </svg>
    </figure>
  );
}

function AxisLine(props: { axis: Axis; x: number; ay: (t: number) => number; top: number; bottom: number; height: number }): ReactElement {
  const { axis, x, ay } = props;
  return (
    <g data-axis={axis.key}>
      <line x1={x} x2={x} y1={props.top} y2={props.bottom} stroke="#1d2433" />
      {axis.ticks.map((t) => (
        <text key={t.label} x={x - 4} y={ay(t.at) + 4} textAnchor="end" fontSize="10" fill="#4a5568">
          {t.label}
        </text>
      ))}
      <text x={x} y={props.height - 14} textAnchor="middle" fontSize="11" fill="#1d2433">
        {axisName(axis.key)}
      </text>
    </g>
  );
}
