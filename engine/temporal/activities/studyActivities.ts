/**
 * Activities of tuning studies (workflows/study.ts). Suggestions and early-stopping judgements are
 * computed here, from the history the workflow passes and the intermediate values recorded in the
 * metrics store, so the workflow stays deterministic: on replay it reads their recorded results.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { Assignment, TrialRecord } from '../../../dsl/ir/tuneSpace';
import type { ArtifactStore } from '../../stores/artifacts/index';
import type { Json, MetadataStore, MetricRecord, TuneTrialRecord } from '../../stores/metadata/index';
import { judgeTrial, suggestBatch } from '../../tuning/index';
import { executionIdFor, type StudyActivities, type StudyTrial } from '../workflows/types';

/** The trial's task path in the run: its execution id and metrics hang off it. */
export const trialPath = (study: string, n: number): string => `${study}[${n}]`;

/**
 * The task path whose metrics are trial n's: the trial itself, or for a nested pipeline as the
 * trial, its objective task inside the trial (`<study>[n]/<task>`). The trial's row points at
 * that execution, so the history, the run view's curves and lineage all read the same one.
 */
export const objectivePath = (study: string, n: number, objectiveTask: string | undefined): string =>
  objectiveTask === undefined ? trialPath(study, n) : `${trialPath(study, n)}/${objectiveTask}`;

type Cell = number | string | boolean | null;
interface TrialsDataset {
  columns: { name: string; type: 'number' | 'string' | 'boolean'; nullable?: boolean }[];
  rows: Cell[][];
  target: string;
}

/** The study's output port that holds its trials as a Dataset (dsl/ir/tuneSpec.ts TUNE_OUTPUTS). */
const TRIALS_DATASET_PORT = 'trialsDataset';

/**
 * The trials of a study in the Dataset format of components/dataset.ts (written here by hand: the
 * engine does not import components): number, state, one column per search parameter (a parameter
 * named like a fixed column gets the prefix "param."), value (the target), prunedStep, reason,
 * durationMs. A parameter column is number or boolean when all its values are, else string.
 */
export function trialsDataset(trials: readonly TuneTrialRecord[], parameters: readonly string[]): TrialsDataset {
  const fixed = new Set(['number', 'state', 'value', 'prunedStep', 'reason', 'durationMs']);
  const paramColumns = parameters.map((name) => {
    const values = trials.map((t) => (Object.hasOwn(t.params, name) ? t.params[name] : null)).filter((v): v is Json => v !== null && v !== undefined);
    const type = values.length > 0 && values.every((v) => typeof v === 'number') ? 'number' : values.length > 0 && values.every((v) => typeof v === 'boolean') ? 'boolean' : 'string';
    const nullable = trials.some((t) => !Object.hasOwn(t.params, name) || t.params[name] === null);
    return { param: name, column: { name: fixed.has(name) ? `param.${name}` : name, type, ...(nullable ? { nullable: true } : {}) } as const };
  });
  const cell = (v: Json | undefined, type: 'number' | 'string' | 'boolean'): Cell => {
    if (v === undefined || v === null) return null;
    if (type !== 'string') return v as number | boolean;
    return typeof v === 'string' ? v : JSON.stringify(v);
  };
  return {
    columns: [
      { name: 'number', type: 'number' },
      { name: 'state', type: 'string' },
      ...paramColumns.map((p) => p.column),
      { name: 'value', type: 'number', nullable: true },
      { name: 'prunedStep', type: 'number', nullable: true },
      { name: 'reason', type: 'string', nullable: true },
      { name: 'durationMs', type: 'number', nullable: true },
    ],
    rows: [...trials]
      .sort((a, b) => a.number - b.number)
      .map((t) => [
        t.number,
        t.state,
        ...paramColumns.map((p) => cell(t.params[p.param], p.column.type)),
        t.value,
        t.prunedStep,
        t.reason,
        t.finishedAt ? t.finishedAt.getTime() - t.startedAt.getTime() : null,
      ]),
    target: 'value',
  };
}

export function createStudyActivities(metadata: MetadataStore, artifacts: ArtifactStore): StudyActivities {
  /** The objective's recorded values of a trial, by step (a cached trial's come from the execution it reused). */
  const series = async (runId: string, study: string, n: number, metric: string, objectiveTask: string | undefined): Promise<{ step: number; value: number }[]> => {
    const id = executionIdFor(runId, objectivePath(study, n, objectiveTask));
    let rows: MetricRecord[] = await metadata.listMetrics({ executionId: id });
    if (!rows.some((r) => r.key === metric)) {
      const exec = await metadata.getExecution(id);
      if (exec?.cachedFrom) rows = await metadata.listMetrics({ executionId: exec.cachedFrom });
    }
    return rows
      .filter((r) => r.key === metric && Number.isFinite(r.value))
      .sort((a, b) => a.step - b.step)
      .map((r) => ({ step: r.step, value: r.value }));
  };
  /** The metric keys a trial reported (finite values), sorted; a cached trial's from the execution it reused. */
  const reportedKeys = async (runId: string, study: string, n: number, objectiveTask: string | undefined): Promise<string[]> => {
    const id = executionIdFor(runId, objectivePath(study, n, objectiveTask));
    let rows: MetricRecord[] = await metadata.listMetrics({ executionId: id });
    if (rows.length === 0) {
      const exec = await metadata.getExecution(id);
      if (exec?.cachedFrom) rows = await metadata.listMetrics({ executionId: exec.cachedFrom });
    }
    return [...new Set(rows.filter((r) => Number.isFinite(r.value)).map((r) => r.key))].sort();
  };
  /**
   * Every recorded trial of the study with its intermediate values (one read of the trials, one of
   * the run's metrics). Read here, not passed in by the workflow: a history that carried the whole
   * trial list into every suggestion would grow quadratically with the trials.
   */
  const history = async (runId: string, study: string, metric: string): Promise<TrialRecord[]> => {
    const byExecution = new Map<string, { step: number; value: number }[]>();
    for (const r of await metadata.listMetrics({ runId })) {
      if (r.key !== metric || !Number.isFinite(r.value)) continue;
      const list = byExecution.get(r.executionId) ?? [];
      list.push({ step: r.step, value: r.value });
      byExecution.set(r.executionId, list);
    }
    return (await metadata.listTuneTrials(runId, study)).map((t) => ({
      number: t.number,
      params: t.params as Assignment,
      state: t.state === 'cancelled' ? 'failed' : t.state,
      ...(t.value !== null ? { value: t.value } : {}),
      intermediate: (byExecution.get(t.executionId) ?? []).sort((a, b) => a.step - b.step),
    }));
  };
  const row = (runId: string, study: string, t: StudyTrial, objectiveTask: string | undefined) => ({
    runId,
    study,
    number: t.number,
    state: t.state,
    params: t.params,
    value: t.value ?? null,
    prunedStep: t.prunedStep ?? null,
    reason: t.reason ?? null,
    executionId: executionIdFor(runId, objectivePath(study, t.number, objectiveTask)),
    startedAt: new Date(t.startedAt),
    finishedAt: t.finishedAt !== undefined ? new Date(t.finishedAt) : null,
  });
  const hasRun = async (runId: string): Promise<boolean> => (await metadata.getRun(runId)) !== undefined;

  return {
    async suggestTrials({ runId, study, tune, count }) {
      const records = await history(runId, study, tune.objective.metric);
      try {
        // Suggested in the same batch: each sees the earlier ones as running (no two identical grid points; TPE's liar).
        return suggestBatch({ space: tune.space, algorithm: tune.algorithm, objective: tune.objective, trials: records, seed: tune.seed ?? 0 }, count);
      } catch (e) {
        throw ApplicationFailure.nonRetryable(`study "${study}": the ${tune.algorithm.name} algorithm failed to suggest a trial: ${(e as Error).message}`, 'TuneSuggestFailed');
      }
    },
    async recordTrials({ runId, study, trials, lastValueOf, objectiveTask }) {
      if (!(await hasRun(runId))) return;
      for (const t of trials) {
        const last = lastValueOf !== undefined && t.state === 'pruned' && t.value === undefined ? (await series(runId, study, t.number, lastValueOf, objectiveTask)).at(-1) : undefined;
        await metadata.recordTuneTrial(row(runId, study, last ? { ...t, value: last.value } : t, objectiveTask));
      }
    },
    async finishTrial({ runId, study, objective, trial }) {
      const values = await series(runId, study, trial.number, objective.metric, objective.task);
      const last = values[values.length - 1];
      let result: { state: 'succeeded' | 'failed'; value?: number; reason?: string; reported?: string[] };
      if (last) result = { state: 'succeeded', value: last.value };
      else {
        const reported = await reportedKeys(runId, study, trial.number, objective.task);
        const who = objective.task === undefined ? 'the trial' : `the trial's task "${objective.task}"`;
        const where = objective.task === undefined ? 'the component' : "that task's component";
        result = {
          state: 'failed',
          reason:
            `${who} reported no metric "${objective.metric}" (the study's objective)` +
            `${reported.length ? `, only ${reported.map((k) => `"${k}"`).join(', ')}` : ', no metric at all'}; ` +
            `report it from ${where} with ctx.metric('${objective.metric}', value), or make the objective one of the metrics it reports`,
          reported,
        };
      }
      if (await hasRun(runId)) {
        await metadata.recordTuneTrial(
          row(runId, study, { ...trial, state: result.state, ...(result.value !== undefined ? { value: result.value } : {}), ...(result.reason ? { reason: result.reason } : {}) }, objective.task),
        );
      }
      return result;
    },
    async judgeTrials({ runId, study, tune, running }) {
      const rule = tune.earlyStopping;
      if (!rule) return [];
      const records = await history(runId, study, tune.objective.metric);
      const stops: { number: number; step: number; reason: string }[] = [];
      for (const trial of records) {
        if (!running.includes(trial.number) || trial.intermediate.length === 0) continue;
        const judgement = judgeTrial({ rule, objective: tune.objective, trial, others: records.filter((r) => r.number !== trial.number) });
        if (judgement.stop) stops.push({ number: trial.number, step: judgement.step, reason: judgement.reason });
      }
      return stops;
    },
    async writeTrialsDataset({ runId, study, parameters, componentName, componentDigest, params }) {
      const executionId = executionIdFor(runId, study);
      const dataset = trialsDataset(await metadata.listTuneTrials(runId, study), parameters);
      // One row per line, as components' writeDataset does, so the file diffs and previews well.
      const text = `{"columns":${JSON.stringify(dataset.columns)},"target":${JSON.stringify(dataset.target)},"rows":[\n${dataset.rows.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
      const dir = await mkdtemp(join(tmpdir(), 'sluice-trials-'));
      try {
        const file = join(dir, 'trials.json');
        await writeFile(file, text);
        const stored = await artifacts.put(file);
        // The study's own execution produces it: lineage shows the dataset coming from the study.
        // Attempt 1 always: a retry finds the row (running or succeeded) and finishes it again.
        await metadata.startExecution({ id: executionId, runId, taskId: study, componentName, componentDigest, attempt: 1, params });
        const records = await metadata.completeExecution(executionId, {
          attempt: 1,
          outputParams: {},
          outputs: {
            [TRIALS_DATASET_PORT]: {
              id: `${executionId}.${TRIALS_DATASET_PORT}`,
              type: 'Dataset',
              name: `${study}.${TRIALS_DATASET_PORT}`,
              uri: stored.uri,
              sha256: stored.sha256,
              size: stored.size,
              properties: { rows: dataset.rows.length },
            },
          },
        });
        const record = records[TRIALS_DATASET_PORT];
        if (!record) throw new Error(`study "${study}": the trials dataset was not recorded; retrying`);
        return { kind: 'artifact', artifactId: record.id, type: record.type, uri: record.uri, sha256: record.sha256 };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
