/**
 * The pure pieces of run comparison in the editor: which runs a compare link names, the cells of
 * the parameters and metrics tables that differ or are best, one overlaid chart per metric series,
 * the axes of the parallel-coordinates plot and of the scatter, and a metric across a pipeline's
 * runs over time. What the server already decides (which way a metric is better, which runs are
 * best, whether a parameter differs: GET /api/runs/compare) is read from its answer, not redone.
 */
import type { JsonValue, MetricSeries, RunComparison, RunListItem } from 'sluice/api';
import type { ChartSeries } from '../previews/LineChart';

/** The most runs one comparison takes (the API's limit). */
export const MAX_COMPARED = 50;

/** The run ids of `#/compare?runs=a,b,c`: trimmed, without repeats, at most MAX_COMPARED. */
export function compareIdsFromQuery(query: URLSearchParams): string[] {
  const ids = (query.get('runs') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...new Set(ids)].slice(0, MAX_COMPARED);
}

/** A short, still unique label per run id (the first 8 characters, more where two runs share them). */
export function runLabels(ids: readonly string[]): string[] {
  return ids.map((id) => {
    for (let n = 8; n < id.length; n++) {
      const prefix = id.slice(0, n);
      if (ids.every((other) => other === id || !other.startsWith(prefix))) return prefix;
    }
    return id;
  });
}

/**
 * Which cells of a parameter row to highlight: the values that differ from the row's most common
 * value (the first run's value on a tie), so with 2 runs both differing cells light up and with
 * a sweep of 10 the odd ones out do. All false when the row does not differ.
 */
export function differingCells(values: readonly JsonValue[]): boolean[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(JSON.stringify(v), (counts.get(JSON.stringify(v)) ?? 0) + 1);
  const max = Math.max(0, ...counts.values());
  if (counts.size <= 1) return values.map(() => false);
  // Every value as common as every other (2 runs, 2 values): all of them differ.
  if ([...counts.values()].every((c) => c === max)) return values.map(() => true);
  const common = [...counts.entries()].find(([, c]) => c === max)?.[0];
  return values.map((v) => JSON.stringify(v) !== common);
}

/** The best marks of a metrics row, one per run: the server's `best` indexes as flags. */
export function bestCells(row: RunComparison['metrics'][number]): boolean[] {
  const best = new Set(row.best);
  return row.values.map((_, i) => best.has(i));
}

/** How a parameter value reads in a table cell. */
export function formatValue(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** One overlaid chart: a metric key of one task, one line per run that has it. */
export interface OverlayChart {
  /** `<taskId>/<key>`: one chart per metric series. */
  id: string;
  taskId: string;
  key: string;
  /** The x axis: the series' step label ("epoch") when the component gave one. */
  stepLabel: string;
  series: (ChartSeries & { runId: string })[];
}

/**
 * One chart per metric series (task + key) with a line for every run that recorded it, x = step.
 * Series with a single point (a final score) are left out: the metrics table holds those.
 */
export function overlayCharts(runs: readonly { id: string; label: string }[], seriesByRun: ReadonlyMap<string, readonly MetricSeries[]>): OverlayChart[] {
  const charts = new Map<string, OverlayChart>();
  for (const run of runs) {
    for (const s of seriesByRun.get(run.id) ?? []) {
      const id = `${s.taskId}/${s.key}`;
      const chart = charts.get(id) ?? { id, taskId: s.taskId, key: s.key, stepLabel: s.stepLabel ?? 'step', series: [] };
      if (s.stepLabel && chart.stepLabel === 'step') chart.stepLabel = s.stepLabel;
      chart.series.push({ runId: run.id, label: run.label, points: s.points.map((p) => ({ x: p.step, y: p.value })) });
      charts.set(id, chart);
    }
  }
  return [...charts.values()].filter((c) => c.series.some((s) => s.points.length > 1)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** An axis of the parallel-coordinates plot or the scatter: maps a value to [0, 1] (0 the bottom). */
export interface Axis {
  key: string;
  kind: 'number' | 'category';
  /** Labelled positions along the axis. */
  ticks: { at: number; label: string }[];
  /** Where a value sits, undefined for a missing or foreign value. */
  position: (v: JsonValue | undefined) => number | undefined;
}

const isNumber = (v: JsonValue | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The axis for a column of values: linear from min to max when every present value is a number
 * (all equal: the middle), else categories evenly spaced in sorted order. Missing values have no
 * position (the line skips that axis).
 */
export function axisFor(key: string, values: readonly (JsonValue | undefined)[]): Axis {
  const present = values.filter((v): v is JsonValue => v !== null && v !== undefined);
  if (present.length > 0 && present.every(isNumber)) {
    const lo = Math.min(...present);
    const hi = Math.max(...present);
    const position = (v: JsonValue | undefined): number | undefined => (isNumber(v) ? (hi === lo ? 0.5 : (v - lo) / (hi - lo)) : undefined);
    const ticks = hi === lo ? [{ at: 0.5, label: formatTick(lo) }] : [lo, (lo + hi) / 2, hi].map((v) => ({ at: (v - lo) / (hi - lo), label: formatTick(v) }));
    return { key, kind: 'number', ticks, position };
  }
  const categories = [...new Set(present.map((v) => formatValue(v)))].sort();
  const at = (i: number): number => (categories.length === 1 ? 0.5 : i / (categories.length - 1));
  return {
    key,
    kind: 'category',
    ticks: categories.map((c, i) => ({ at: at(i), label: c })),
    position: (v) => {
      if (v === null || v === undefined) return undefined;
      const i = categories.indexOf(formatValue(v));
      return i === -1 ? undefined : at(i);
    },
  };
}

function formatTick(v: number): string {
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3);
}

/** The dimensions of a comparison, as columns of values per run: `params.<key>` and `metrics.<key>`. */
export function comparisonColumns(c: RunComparison): Map<string, (JsonValue | undefined)[]> {
  const columns = new Map<string, (JsonValue | undefined)[]>();
  for (const p of c.params) columns.set(`params.${p.key}`, p.values);
  for (const m of c.metrics) columns.set(`metrics.${m.key}`, m.values);
  return columns;
}

/** A parallel-coordinates plot: its axes, and one polyline per row (a run, a trial) of positions along them. */
export interface ParallelPlot {
  axes: Axis[];
  /** `positions[d]` is where the row sits on axis d; undefined where it lacks the value (the line breaks). */
  lines: { id: string; positions: (number | undefined)[] }[];
}

/**
 * The plot of columns of values: one axis per column (in order), one line per row id (`ids[i]`
 * owns `values[i]` of every column). Shared by the compare view (runs) and a study (trials).
 */
export function parallelPlot(dims: readonly (readonly [string, readonly (JsonValue | undefined)[]])[], ids: readonly string[]): ParallelPlot {
  const axes = dims.map(([key, values]) => axisFor(key, values));
  const lines = ids.map((id, i) => ({ id, positions: axes.map((axis, d) => axis.position(dims[d]?.[1][i])) }));
  return { axes, lines };
}

/**
 * The parallel-coordinates plot of a comparison: one axis per parameter that varies across the
 * runs (parameters all runs share say nothing), then the chosen metric last; each run a polyline
 * of its positions (undefined where it lacks the value).
 */
export function parallelCoordinates(c: RunComparison, metric: string): ParallelPlot {
  const dims: [string, (JsonValue | undefined)[]][] = c.params.filter((p) => p.differs).map((p) => [`params.${p.key}`, p.values]);
  const m = c.metrics.find((row) => row.key === metric);
  if (m) dims.push([`metrics.${m.key}`, m.values]);
  return parallelPlot(dims, c.runs.map((r) => r.id));
}

/** A metric across runs over time: one series per pipeline, x = the run's creation (ms), y = the column's value. */
export function metricOverRuns(runs: readonly RunListItem[], column: string): (ChartSeries & { runIds: string[] })[] {
  const byPipeline = new Map<string, { x: number; y: number; id: string }[]>();
  for (const r of runs) {
    const v = r.columns?.[column];
    if (!isNumber(v)) continue;
    const points = byPipeline.get(r.pipelineName) ?? [];
    points.push({ x: Date.parse(r.createdAt), y: v, id: r.id });
    byPipeline.set(r.pipelineName, points);
  }
  return [...byPipeline.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, points]) => {
      const sorted = points.sort((a, b) => a.x - b.x);
      return { label, points: sorted.map(({ x, y }) => ({ x, y })), runIds: sorted.map((p) => p.id) };
    });
}
