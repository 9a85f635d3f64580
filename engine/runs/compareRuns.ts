/**
 * Runs side by side (`sluice runs compare`, GET /api/runs/compare): parameters with differences
 * marked, final metrics with the best run per metric marked, the metric series each run has, and
 * whether the runs are of different pipeline versions. `buildRunComparison` is pure (its unit test
 * is next to it); `compareRuns` reads what it needs from the metadata store.
 *
 * Which way a metric is better is explicit: higher, unless its key looks like a loss or an error
 * (`LOWER_IS_BETTER_KEY`), and a request may say otherwise per key.
 */
import type { MetadataStore, Json, RunRecord, RunStatus } from '../stores/metadata/index';
import { metricSeries, type MetricSeriesView, type SeriesPoint } from './metricSeries';

export type MetricDirection = 'higher' | 'lower';
export type DirectionSource = 'default' | 'key' | 'request';

/** Keys that read as "lower is better": a loss, an error, a distance, a time. */
export const LOWER_IS_BETTER_KEY = /(^|[^a-z])(loss|error|err|mse|rmse|mae|mape|perplexity|latency|duration|time|wer|cer)([^a-z]|$)|loss$|error$/i;

export interface DirectionOverrides {
  lowerIsBetter?: readonly string[];
  higherIsBetter?: readonly string[];
}

/** The direction of a metric and what decided it. */
export function metricDirection(key: string, overrides: DirectionOverrides = {}): { direction: MetricDirection; from: DirectionSource } {
  if (overrides.lowerIsBetter?.includes(key)) return { direction: 'lower', from: 'request' };
  if (overrides.higherIsBetter?.includes(key)) return { direction: 'higher', from: 'request' };
  return LOWER_IS_BETTER_KEY.test(key) ? { direction: 'lower', from: 'key' } : { direction: 'higher', from: 'default' };
}

/** What the comparison needs of one run. */
export interface ComparedRunInput {
  id: string;
  pipelineName: string;
  pipelineVersionId: string;
  pipelineDigest: string;
  status: RunStatus;
  createdAt: Date;
  params: Record<string, Json>;
  /** Every recorded point: task, key, step, value (and what the step counts, where said). */
  metrics: readonly SeriesPoint[];
}

export interface RunComparison {
  runs: { id: string; pipelineName: string; pipelineVersionId: string; pipelineDigest: string; status: RunStatus; createdAt: string }[];
  pipelineChanged: boolean;
  params: { key: string; values: Json[]; differs: boolean }[];
  metrics: { key: string; values: (number | null)[]; direction: MetricDirection; directionFrom: DirectionSource; best: number[] }[];
  series: { runId: string; taskId: string; key: string; points: number }[];
  /** Each run's series with their points, when asked (`withPoints`): one request for a chart of N runs. */
  seriesPoints?: { runId: string; series: MetricSeriesView[] }[];
}

const sameJson = (a: Json | undefined, b: Json | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);
const sorted = (keys: Iterable<string>): string[] => [...new Set(keys)].sort();

/**
 * The final value of each metric key of a run: the value at its highest step (over the run's
 * tasks; on a tie, the point recorded last), as the run filter reads metrics.
 */
export function finalMetrics(points: ComparedRunInput['metrics']): Map<string, number> {
  const best = new Map<string, { step: number; value: number }>();
  for (const p of points) {
    const had = best.get(p.key);
    if (!had || p.step >= had.step) best.set(p.key, { step: p.step, value: p.value });
  }
  return new Map([...best].map(([k, v]) => [k, v.value]));
}

export function buildRunComparison(runs: readonly ComparedRunInput[], overrides: DirectionOverrides = {}, withPoints = false): RunComparison {
  const params = sorted(runs.flatMap((r) => Object.keys(r.params))).map((key) => {
    const values = runs.map((r) => r.params[key]);
    return { key, values: values.map((v) => v ?? null), differs: values.some((v) => !sameJson(v, values[0])) };
  });

  const finals = runs.map((r) => finalMetrics(r.metrics));
  const metrics = sorted(finals.flatMap((f) => [...f.keys()])).map((key) => {
    const values = finals.map((f) => f.get(key) ?? null);
    const { direction, from } = metricDirection(key, overrides);
    const present = values.filter((v): v is number => v !== null);
    const target = direction === 'higher' ? Math.max(...present) : Math.min(...present);
    // A best only where there is a choice: two values or more, not all equal.
    const best = present.length >= 2 && present.some((v) => v !== present[0]) ? values.flatMap((v, i) => (v === target ? [i] : [])) : [];
    return { key, values, direction, directionFrom: from, best };
  });

  const series: RunComparison['series'] = [];
  for (const r of runs) {
    const counts = new Map<string, { taskId: string; key: string; points: number }>();
    for (const p of r.metrics) {
      const k = `${p.taskId}\u0000${p.key}`;
      const c = counts.get(k) ?? { taskId: p.taskId, key: p.key, points: 0 };
      c.points++;
      counts.set(k, c);
    }
    for (const c of [...counts.values()].sort((a, b) => (a.taskId === b.taskId ? (a.key < b.key ? -1 : 1) : a.taskId < b.taskId ? -1 : 1))) series.push({ runId: r.id, ...c });
  }

  return {
    runs: runs.map((r) => ({
      id: r.id,
      pipelineName: r.pipelineName,
      pipelineVersionId: r.pipelineVersionId,
      pipelineDigest: r.pipelineDigest,
      status: r.status,
      createdAt: r.createdAt.toISOString(),
    })),
    pipelineChanged: new Set(runs.map((r) => `${r.pipelineName}\u0000${r.pipelineDigest}`)).size > 1,
    params,
    metrics,
    series,
    ...(withPoints ? { seriesPoints: runs.map((r) => ({ runId: r.id, series: metricSeries(r.metrics) })) } : {}),
  };
}

export class CompareRunsError extends Error {
  override readonly name = 'CompareRunsError';
  readonly code = 'not-found';
  constructor(
    message: string,
    /** Positions of the unknown ids in the request. */
    readonly missing: number[],
  ) {
    super(message);
  }
}

/** Reads the runs and compares them; CompareRunsError (code `not-found`) names ids that match no run. */
export async function compareRuns(
  metadata: Pick<MetadataStore, 'searchRuns' | 'getPipelineVersion' | 'listRunsMetrics'>,
  ids: readonly string[],
  overrides: DirectionOverrides = {},
  withPoints = false,
): Promise<RunComparison> {
  // Three queries whatever the number of runs (the runs, their points with task ids, each distinct
  // version), not three per run: 50 runs took about a second of 150 queries on PGlite.
  const [found, points] = await Promise.all([
    metadata.searchRuns({ filter: [{ entity: 'attribute', key: 'run_id', op: 'in', value: [...ids] }], order: [], limit: ids.length }),
    metadata.listRunsMetrics(ids),
  ]);
  const byId = new Map(found.map((r) => [r.id, r]));
  const records = ids.map((id) => byId.get(id));
  const missing = records.flatMap((r, i) => (r ? [] : [i]));
  if (missing.length) throw new CompareRunsError(`no run with id ${missing.map((i) => `"${ids[i]}"`).join(', ')}`, missing);
  // Runs of a sweep share their pipeline version: each is read once.
  const versionIds = [...new Set((records as RunRecord[]).map((r) => r.pipelineVersionId))];
  const versions = new Map(await Promise.all(versionIds.map(async (id) => [id, await metadata.getPipelineVersion(id)] as const)));
  const pointsOf = new Map<string, ComparedRunInput['metrics'][number][]>();
  for (const p of points) {
    let list = pointsOf.get(p.runId);
    if (!list) pointsOf.set(p.runId, (list = []));
    list.push({ taskId: p.taskId, key: p.key, step: p.step, value: p.value, ...(p.stepLabel !== undefined ? { stepLabel: p.stepLabel } : {}) });
  }
  const inputs = (records as RunRecord[]).map(
    (run): ComparedRunInput => ({
      id: run.id,
      pipelineName: run.pipelineName,
      pipelineVersionId: run.pipelineVersionId,
      pipelineDigest: versions.get(run.pipelineVersionId)?.digest ?? '',
      status: run.status,
      createdAt: run.createdAt,
      params: run.params,
      metrics: pointsOf.get(run.id) ?? [],
    }),
  );
  return buildRunComparison(inputs, overrides, withPoints);
}
