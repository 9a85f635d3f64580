/** A run's metric points as series per task and key, sorted by step: what charts draw. */
export interface SeriesPoint {
  taskId: string;
  key: string;
  step: number;
  value: number;
  stepLabel?: string;
}

export interface MetricSeriesView {
  taskId: string;
  key: string;
  /** What the steps count ("epoch"): the last label a point of the series carried. */
  stepLabel?: string;
  points: { step: number; value: number }[];
}

export function metricSeries(points: Iterable<SeriesPoint>): MetricSeriesView[] {
  const series = new Map<string, MetricSeriesView>();
  for (const m of points) {
    const id = `${m.taskId}\u0000${m.key}`;
    let s = series.get(id);
    if (!s) {
      s = { taskId: m.taskId, key: m.key, points: [] };
      series.set(id, s);
    }
    s.points.push({ step: m.step, value: m.value });
    if (m.stepLabel !== undefined) s.stepLabel = m.stepLabel;
  }
  for (const s of series.values()) s.points.sort((a, b) => a.step - b.step);
  return [...series.values()];
}
