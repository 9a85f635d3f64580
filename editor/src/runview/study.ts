/**
 * What the run view shows of a tuning study (`p.tune`), computed from the API's answers: which
 * studies belong to the selected task, the trials as table rows, the best-so-far curve and the
 * trials' intermediate-value curves. Pure, so it is tested without a browser.
 */
import type { JsonValue, MetricSeries, Study, TuneTrial } from 'sluice/api';
import { indexPipeline, isTaskNode, type Objective, type PipelineSpec } from 'sluice/ir';
import { parallelPlot, type ParallelPlot } from '../compare/compareView';
import { formatNumber } from '../previews/LineChart';
import { formatDuration } from './runState';

/** The task id (node id in the IR) of a study path: "tune-train", "sweep[2]/tune-train" → "tune-train". */
export function studyTaskId(study: string): string {
  const last = study.slice(study.lastIndexOf('/') + 1);
  return last.replace(/\[\d+\]$/, '');
}

/** The studies the task ran: one, or one per loop item when the study sits in a loop body. */
export function studiesOfTask(studies: readonly Study[], taskId: string | undefined): Study[] {
  return taskId === undefined ? [] : studies.filter((s) => studyTaskId(s.study) === taskId);
}

/** The study's objective (metric and goal), from the pipeline version the run ran. */
export function studyObjective(spec: PipelineSpec | null, taskId: string): Objective | undefined {
  if (!spec) return undefined;
  const node = indexPipeline(spec).nodes.get(taskId)?.node;
  return node && isTaskNode(node) ? node.tune?.objective : undefined;
}

const better = (goal: Objective['goal'], a: number, b: number): boolean => (goal === 'minimize' ? a < b : a > b);

/**
 * The best objective value among trials numbered up to each trial that has a value, in trial order
 * (trials are numbered as they were suggested): one point per trial with a value.
 */
export function bestSoFar(trials: readonly TuneTrial[], goal: Objective['goal']): { x: number; y: number }[] {
  const points: { x: number; y: number }[] = [];
  let best: number | undefined;
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    if (t.value === null || !Number.isFinite(t.value)) continue;
    if (best === undefined || better(goal, t.value, best)) best = t.value;
    points.push({ x: t.number, y: best });
  }
  return points;
}

/** Each trial's own objective value, by trial number. */
export function trialValues(trials: readonly TuneTrial[]): { x: number; y: number }[] {
  return [...trials]
    .sort((a, b) => a.number - b.number)
    .flatMap((t) => (t.value !== null && Number.isFinite(t.value) ? [{ x: t.number, y: t.value }] : []));
}

function formatValue(v: TuneTrial['params'][string]): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export interface TrialRow {
  number: number;
  /** "learningRate = 0.0123, hiddenUnits = 8", in the order the trial's parameters were recorded. */
  params: string;
  objective: string;
  state: TuneTrial['state'];
  /** Why it was pruned (with the step), failed or was cancelled; empty otherwise. */
  detail: string;
  /** Empty for a trial that has not started; "so far" for a running one. */
  duration: string;
  best: boolean;
}

/** The trials as table rows, by number; `now` times the running ones. */
export function trialRows(study: Pick<Study, 'trials' | 'best'>, now: number): TrialRow[] {
  return [...study.trials]
    .sort((a, b) => a.number - b.number)
    .map((t) => {
      const start = Date.parse(t.startedAt);
      const end = t.finishedAt !== null ? Date.parse(t.finishedAt) : now;
      const took = formatDuration(end - start);
      const detail =
        t.state === 'pruned'
          ? `at step ${t.prunedStep ?? '?'}${t.reason ? `: ${t.reason}` : ''}`
          : t.state === 'failed' || t.state === 'cancelled'
            ? (t.reason ?? '')
            : '';
      return {
        number: t.number,
        params: Object.entries(t.params)
          .map(([k, v]) => `${k} = ${formatValue(v)}`)
          .join(', '),
        objective: t.value !== null ? formatNumber(t.value) : '',
        state: t.state,
        detail,
        duration: took === '' ? '' : t.finishedAt === null ? `${took} so far` : took,
        best: study.best?.number === t.number,
      };
    });
}

/** The task id of a trial's execution: what its metrics are recorded under (engine: trialPath). */
export const trialTaskId = (study: string, n: number): string => `${study}[${n}]`;

/**
 * The objective's intermediate values of each trial that reported more than one (the curves the
 * early-stopping rule judged), labelled "#n", with " (pruned at k)" for pruned trials.
 */
export function intermediateCurves(study: Pick<Study, 'study' | 'trials'>, metric: string, metrics: readonly MetricSeries[]): { label: string; points: { x: number; y: number }[]; pruned: boolean }[] {
  const byTask = new Map(metrics.filter((m) => m.key === metric).map((m) => [m.taskId, m]));
  return [...study.trials]
    .sort((a, b) => a.number - b.number)
    .flatMap((t) => {
      const series = byTask.get(trialTaskId(study.study, t.number));
      if (!series || series.points.length < 2) return [];
      const pruned = t.state === 'pruned';
      return [
        {
          label: `#${t.number}${pruned ? ` (pruned at ${t.prunedStep ?? '?'})` : ''}`,
          points: series.points.map((p) => ({ x: p.step, y: p.value })),
          pruned,
        },
      ];
    });
}

/** The x-axis name of the trials' intermediate values ("epoch"), when the component said. */
export function stepLabelOf(study: Pick<Study, 'study' | 'trials'>, metric: string, metrics: readonly MetricSeries[]): string {
  const prefix = `${study.study}[`;
  return metrics.find((m) => m.key === metric && m.taskId.startsWith(prefix) && m.stepLabel)?.stepLabel ?? 'step';
}

/** A control form's numbers as the API takes them: only fields that changed, each a positive integer. */
export function controlChange(
  current: { parallelTrials: number; maxTrials: number },
  form: { parallelTrials: string; maxTrials: string },
): { change: { parallelTrials?: number; maxTrials?: number } } | { error: string } {
  const change: { parallelTrials?: number; maxTrials?: number } = {};
  for (const [key, label] of [
    ['parallelTrials', 'Parallel trials'],
    ['maxTrials', 'Max trials'],
  ] as const) {
    const text = form[key].trim();
    const n = Number(text);
    if (text === '' || !Number.isInteger(n) || n < 1) return { error: `${label} must be a whole number of at least 1; got "${form[key]}"` };
    if (n !== current[key]) change[key] = n;
  }
  return { change };
}

/** A trial's line in the study's parallel-coordinates plot. */
export interface TrialLine {
  number: number;
  pruned: boolean;
  /** "#3 (pruned at 4): lr = 0.01, units = 8 → loss 0.31 (last reported)". */
  title: string;
}

/**
 * The study's parallel-coordinates plot: one axis per searched parameter (in the order trials
 * recorded them; a conditional one is missing where its condition did not hold), then the
 * objective; one line per trial that has a value. A pruned trial has no final value: its last
 * intermediate value stands in (it is what the rule judged), and `pruned` greys its line.
 */
export function trialParallel(study: Pick<Study, 'study' | 'trials'>, metric: string, metrics: readonly MetricSeries[]): { plot: ParallelPlot; lines: TrialLine[] } {
  const lastReported = new Map(metrics.filter((m) => m.key === metric).map((m) => [m.taskId, m.points[m.points.length - 1]?.value]));
  const shown = [...study.trials]
    .sort((a, b) => a.number - b.number)
    .flatMap((t) => {
      const last = lastReported.get(trialTaskId(study.study, t.number));
      const value = t.value ?? (t.state === 'pruned' ? last : undefined);
      return value !== undefined && Number.isFinite(value) ? [{ t, value, final: t.value !== null }] : [];
    });
  const keys = [...new Set(shown.flatMap(({ t }) => Object.keys(t.params)))];
  const dims: [string, (JsonValue | undefined)[]][] = keys.map((k) => [k, shown.map(({ t }) => (Object.hasOwn(t.params, k) ? t.params[k] : undefined))]);
  dims.push([metric, shown.map((s) => s.value)]);
  const plot = parallelPlot(dims, shown.map(({ t }) => String(t.number)));
  const lines = shown.map(({ t, value, final }) => ({
    number: t.number,
    pruned: t.state === 'pruned',
    title:
      `#${t.number}${t.state === 'pruned' ? ` (pruned at ${t.prunedStep ?? '?'})` : ''}: ` +
      `${Object.entries(t.params).map(([k, v]) => `${k} = ${formatValue(v)}`).join(', ')} → ${metric} ${formatNumber(value)}${final ? '' : ' (last reported)'}`,
  }));
  return { plot, lines };
}
