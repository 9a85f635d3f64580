/**
 * `tuneStudy`: a tuning study (`p.tune`) as a child workflow of its run. A child workflow, not a
 * scope of the run's own workflow, because a study's history grows with its trials, suggestions
 * and early-stopping checks (thousands of events) and it has controls of its own (an update that
 * changes parallelTrials / maxTrials or stops it) that address it by a workflow id derived from the
 * run and study path alone. Deterministic: every suggestion and judgement is an activity's result
 * (activities/studyActivities.ts), so replay sees the same trials.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineUpdate,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { MAX_TUNE_TRIALS } from '../../../dsl/ir/tuneSpec';
import { runLoop } from './loop';
import { bookkeepingOptions, describeFailure, runTask, type NodeOutcome, type RunContext } from './scope';
import {
  type NestedPipelineInput,
  TUNE_CONTROL_UPDATE,
  TUNE_STATUS_QUERY,
  type Json,
  type PortValue,
  type StudyActivities,
  type StudyControl,
  type StudyTrial,
  type StudyView,
  type TuneStudyInput,
} from './types';

export const tuneStatusQuery = defineQuery<StudyView>(TUNE_STATUS_QUERY);
/** Changes a running study; refused (with the reason) for values out of range. Returns the study as it is now. */
export const tuneControlUpdate = defineUpdate<StudyView, [StudyControl]>(TUNE_CONTROL_UPDATE);

/**
 * How often running trials are judged by the early-stopping rule: every 2 s at first, then 1/500 of
 * the study's age (at most a minute), so a long study's history stays far below Temporal's limit.
 */
const judgeIntervalMs = (ageMs: number): number => Math.min(60_000, Math.max(2000, Math.floor(ageMs / 500)));

/** Patch: a trial that completed before the early-stopping rule's cancellation reached it is recorded succeeded, not pruned. */
const COMPLETED_BEFORE_PRUNE_PATCH = 'study-completed-before-prune';

/** Patch: a study that succeeded also writes its trials as a Dataset artifact (output `trialsDataset`). */
const TRIALS_DATASET_PATCH = 'study-trials-dataset';

/**
/**
 * Patch: a nested pipeline as the trial runs each trial as a `nestedPipeline` child workflow. No
 * older history has such a study (the validator refused them), so the patch only marks the change.
 */
const PIPELINE_TRIAL_PATCH = 'study-pipeline-trials';
/**
 * Patch: a study fails as soon as its first completed trials all lack the objective metric (and
 * none has it), naming the metric and what they reported, instead of running every trial first.
 */
const OBJECTIVE_MISSING_PATCH = 'study-objective-missing';
/** Completed trials without the objective, none with it, after which the study gives up. */
const OBJECTIVE_MISSING_AFTER = 3;

type Settled = { number: number; outcome?: NodeOutcome; error?: unknown; stoppedByStudy?: boolean };

export async function tuneStudy(input: TuneStudyInput): Promise<Record<string, PortValue>> {
  const tune = input.task.tune;
  const study = input.studyPath;
  const acts = proxyActivities<StudyActivities>(bookkeepingOptions(input.taskQueuePrefix));
  const settings = { parallelTrials: tune.parallelTrials ?? 1, maxTrials: tune.maxTrials, stopRequested: false };
  const maxFailed = tune.maxFailedTrials ?? tune.maxTrials;
  const trials: StudyTrial[] = [];
  const outputsOf = new Map<number, Record<string, PortValue>>();
  const running = new Map<number, CancellationScope>();
  /** Trials the rule stopped, waiting for their cancellation to settle. */
  const pruning = new Map<number, { step: number; reason: string }>();
  const settled: Settled[] = [];
  let dirty = false;

  const best = (): StudyTrial | undefined => {
    let b: StudyTrial | undefined;
    for (const t of trials) {
      if (t.state !== 'succeeded' || t.value === undefined) continue;
      if (!b || (tune.objective.goal === 'minimize' ? t.value < (b.value as number) : t.value > (b.value as number))) b = t;
    }
    return b;
  };
  const view = (): StudyView => {
    const b = best();
    return {
      study,
      ...settings,
      trials,
      ...(b && b.value !== undefined ? { best: { number: b.number, value: b.value, params: b.params } } : {}),
    };
  };
  setHandler(tuneStatusQuery, view);
  setHandler(
    tuneControlUpdate,
    (change: StudyControl) => {
      if (change.parallelTrials !== undefined) settings.parallelTrials = change.parallelTrials;
      if (change.maxTrials !== undefined) settings.maxTrials = change.maxTrials;
      if (change.stop) settings.stopRequested = true;
      dirty = true;
      return view();
    },
    {
      validator: (change: StudyControl) => {
        const whole = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;
        if (change.parallelTrials !== undefined && !(whole(change.parallelTrials) && change.parallelTrials <= 1000)) {
          throw new Error(`parallelTrials must be a whole number from 1 to 1000; got ${String(change.parallelTrials)}`);
        }
        if (change.maxTrials !== undefined && !(whole(change.maxTrials) && change.maxTrials <= MAX_TUNE_TRIALS)) {
          throw new Error(`maxTrials must be a whole number from 1 to ${MAX_TUNE_TRIALS}; got ${String(change.maxTrials)}`);
        }
        if (change.maxTrials !== undefined && change.maxTrials < trials.length) {
          throw new Error(`maxTrials ${change.maxTrials} is below the ${trials.length} trials already started; give ${trials.length} or more, or stop the study`);
        }
      },
    },
  );

  const ctx: RunContext = { runId: input.runId, taskQueuePrefix: input.taskQueuePrefix, cache: input.cache, components: { [input.task.component]: input.component }, runLoop };
  const pipelineTrial = input.component.impl.kind === 'pipeline' ? input.component.impl.spec : undefined;
  /** A pipeline trial's metrics are its objective task's (`<study>[n]/<task>`): the activities read them there. */
  const objectiveTask = pipelineTrial ? tune.objective.task : undefined;
  const objectiveOf = objectiveTask !== undefined ? { objectiveTask } : {};
  /**
   * A nested pipeline as the trial: a `nestedPipeline` child workflow in the same run, its task
   * paths under the trial's (`<study>[n]/prepare`), so lineage shows the trial's inner executions
   * under the study as for any nested pipeline. The same interpreter nested pipelines use, but as
   * a child of its own: cancelling the trial's scope cancels the child, whose running inner tasks
   * see it at their next heartbeat, and each trial's history stays out of the study's.
   */
  const runPipelineTrial = (trialPath: string, inputs: Record<string, PortValue>): Promise<NodeOutcome> =>
    executeChild<(i: NestedPipelineInput) => Promise<Record<string, PortValue>>>('nestedPipeline', {
      workflowId: `${workflowInfo().workflowId}/${trialPath}`,
      taskQueue: input.taskQueuePrefix,
      args: [{ runId: input.runId, taskQueuePrefix: input.taskQueuePrefix, cache: input.cache, spec: pipelineTrial as NonNullable<typeof pipelineTrial>, prefix: `${trialPath}/`, inputs }],
    }).then((outputs): NodeOutcome => ({ state: 'succeeded', outputs }));
  const startTrial = (params: Record<string, Json>): StudyTrial => {
    const trial: StudyTrial = { number: trials.length, params, state: 'running', startedAt: Date.now() };
    trials.push(trial);
    const inputs: Record<string, PortValue> = { ...input.inputs };
    for (const [k, v] of Object.entries(params)) inputs[k] = { kind: 'parameter', value: v };
    const scope = new CancellationScope();
    running.set(trial.number, scope);
    const path = `${study}[${trial.number}]`;
    void scope
      .run(() => (pipelineTrial && patched(PIPELINE_TRIAL_PATCH) ? runPipelineTrial(path, inputs) : runTask(ctx, path, input.component, input.task, inputs, undefined)))
      .then(
        (outcome) => settled.push({ number: trial.number, outcome }),
        // A cancelled child pipeline ends failed ("was cancelled"), not cancelled: the scope says whether the study stopped it.
        (error: unknown) => settled.push({ number: trial.number, error, ...(pipelineTrial && scope.consideredCancelled ? { stoppedByStudy: true } : {}) }),
      );
    return trial;
  };

  let exhausted = false;
  let failed = 0;
  const studyStart = Date.now();
  let lastJudged = studyStart;
  let failure: string | undefined;
  let failureType = 'StudyFailed';
  /** Completed trials that lacked the objective, and the metric keys they reported instead. */
  let withoutObjective = 0;
  const reportedInstead = new Set<string>();
  try {
    for (;;) {
      const budgetLeft = !settings.stopRequested && !exhausted && failure === undefined && failed <= maxFailed;
      const want = budgetLeft ? Math.min(settings.parallelTrials - running.size, settings.maxTrials - trials.length) : 0;
      if (want > 0) {
        const suggestions = await acts.suggestTrials({ runId: input.runId, study, tune, count: want });
        const started: StudyTrial[] = [];
        for (const params of suggestions) {
          if (params === null) {
            exhausted = true;
            break;
          }
          started.push(startTrial(params));
        }
        if (started.length) await acts.recordTrials({ runId: input.runId, study, trials: started.map((t) => ({ ...t })), ...objectiveOf });
      }
      if (settings.stopRequested || failure !== undefined) {
        // Stop early: cancel what runs; those trials are recorded as cancelled.
        for (const scope of running.values()) scope.cancel();
      }
      if (running.size === 0 && settled.length === 0) break;

      const judging = tune.earlyStopping !== undefined && running.size > 0;
      if (settled.length === 0) {
        const waitMs = judging ? Math.max(1, judgeIntervalMs(Date.now() - studyStart) - (Date.now() - lastJudged)) : undefined;
        const woken = (): boolean => settled.length > 0 || dirty;
        if (waitMs === undefined) await condition(woken);
        else await condition(woken, waitMs);
      }
      dirty = false;

      for (const s of settled.splice(0)) {
        running.delete(s.number);
        const trial = trials[s.number] as StudyTrial;
        trial.finishedAt = Date.now();
        let pruned = pruning.get(s.number);
        // Optuna's semantics: a trial that completed is complete, even when the rule had decided to
        // stop it (its cancellation reaches the activity only at a heartbeat, so it may finish
        // first); only one that the stop reached is pruned. Histories from before this recorded
        // such a trial as pruned, and replay so.
        if (s.outcome && pruned && patched(COMPLETED_BEFORE_PRUNE_PATCH)) {
          trial.reason = `finished before the early-stopping rule's stop at step ${pruned.step} reached it (${pruned.reason})`;
          pruned = undefined;
        }
        if (s.outcome && !pruned) {
          outputsOf.set(s.number, s.outcome.outputs);
          const r = await acts.finishTrial({ runId: input.runId, study, objective: tune.objective, trial: { ...trial } });
          trial.state = r.state;
          if (r.value !== undefined) trial.value = r.value;
          if (r.reason !== undefined) trial.reason = r.reason;
          if (r.reported !== undefined) {
            withoutObjective++;
            for (const k of r.reported) reportedInstead.add(k);
            // A misnamed objective fails every trial alike: say so after a few, not after maxTrials.
            const enough = Math.min(OBJECTIVE_MISSING_AFTER, settings.maxTrials);
            if (failure === undefined && withoutObjective >= enough && best() === undefined && patched(OBJECTIVE_MISSING_PATCH)) {
              const keys = [...reportedInstead].sort();
              // A pipeline trial's metric comes from its objective task: name it, it is where to look.
              const reporter = tune.objective.task === undefined ? '' : ` (task "${tune.objective.task}" of each trial)`;
              failure =
                `no trial reports the objective metric "${tune.objective.metric}"${reporter}: the first ${withoutObjective} completed trial${withoutObjective === 1 ? '' : 's'} ` +
                `reported ${keys.length ? `only ${keys.map((k) => `"${k}"`).join(', ')}` : 'no metric at all'}. ` +
                `Make the objective one of those, or report it from the component with ctx.metric('${tune.objective.metric}', value)`;
              failureType = 'StudyObjectiveMissing';
            }
          }
        } else {
          const cancelled = s.error !== undefined && (isCancellation(s.error) || s.stoppedByStudy === true);
          trial.state = pruned ? 'pruned' : cancelled ? 'cancelled' : 'failed';
          if (pruned) {
            trial.prunedStep = pruned.step;
            trial.reason = pruned.reason;
          } else trial.reason = cancelled ? (settings.stopRequested ? 'the study was stopped' : 'cancelled') : describeFailure(s.error);
          // A pruned trial keeps its last intermediate value (as Optuna's), read from its metrics by the activity.
          await acts.recordTrials({ runId: input.runId, study, trials: [{ ...trial }], ...(pruned ? { lastValueOf: tune.objective.metric } : {}), ...objectiveOf });
        }
        if (trial.state === 'failed') {
          failed++;
          if (failed > maxFailed && failure === undefined) failure = `${failed} trials failed, more than maxFailedTrials (${maxFailed}); the last: trial ${trial.number}: ${trial.reason ?? 'failed'}`;
        }
      }

      if (tune.earlyStopping !== undefined && running.size > 0 && Date.now() - lastJudged >= judgeIntervalMs(Date.now() - studyStart) && !settings.stopRequested) {
        lastJudged = Date.now();
        const candidates = trials.filter((t) => t.state === 'running' && !pruning.has(t.number)).map((t) => t.number);
        if (candidates.length > 0) {
          const stops = await acts.judgeTrials({ runId: input.runId, study, tune, running: candidates });
          for (const stop of stops) {
            const scope = running.get(stop.number);
            if (!scope || pruning.has(stop.number)) continue;
            pruning.set(stop.number, { step: stop.step, reason: stop.reason });
            // The trial's activity sees the cancellation at its next heartbeat and stops its component.
            scope.cancel();
          }
        }
      }
    }
  } catch (e) {
    // The run was cancelled (or an activity failed for good): trials still running end with it, and
    // their rows say so instead of staying 'running'.
    if (trials.some((t) => t.state === 'running')) {
      const now = Date.now();
      const ended = trials.filter((t) => t.state === 'running');
      for (const t of ended) {
        t.state = 'cancelled';
        t.reason = isCancellation(e) ? 'the run was cancelled' : `the study failed: ${describeFailure(e)}`;
        t.finishedAt = now;
      }
      await CancellationScope.nonCancellable(() => acts.recordTrials({ runId: input.runId, study, trials: ended.map((t) => ({ ...t })), ...objectiveOf }));
    }
    throw e;
  }

  if (CancellationScope.current().consideredCancelled) throw ApplicationFailure.nonRetryable(`study "${study}" was cancelled`, 'StudyCancelled');
  if (failure !== undefined) throw ApplicationFailure.nonRetryable(`study "${study}": ${failure}`, failureType);
  const b = best();
  if (!b || b.value === undefined) {
    const last = [...trials].reverse().find((t) => t.reason);
    throw ApplicationFailure.nonRetryable(
      `study "${study}": no trial succeeded (${trials.length} run${last ? `; trial ${last.number}: ${last.reason ?? ''}` : ''})`,
      'StudyFailed',
    );
  }
  const outputs: Record<string, PortValue> = { ...(outputsOf.get(b.number) ?? {}) };
  outputs.bestParams = { kind: 'parameter', value: b.params };
  outputs.bestValue = { kind: 'parameter', value: b.value };
  outputs.bestTrial = { kind: 'parameter', value: b.number };
  outputs.trials = {
    kind: 'parameter',
    value: trials.map((t) => {
      const row: Record<string, Json> = { number: t.number, state: t.state, params: t.params };
      if (t.value !== undefined) row.value = t.value;
      if (t.prunedStep !== undefined) row.prunedStep = t.prunedStep;
      if (t.reason !== undefined) row.reason = t.reason;
      return row;
    }),
  };
  for (const [k, v] of Object.entries(b.params)) outputs[`best.${k}`] = { kind: 'parameter', value: v };
  if (patched(TRIALS_DATASET_PATCH)) {
    const params: Record<string, Json> = {};
    for (const [k, v] of Object.entries(input.inputs)) if (v.kind === 'parameter') params[k] = v.value;
    outputs.trialsDataset = await acts.writeTrialsDataset({
      runId: input.runId,
      study,
      parameters: Object.keys(tune.space),
      componentName: input.component.name,
      componentDigest: input.component.impl.digest,
      params,
    });
  }
  return outputs;
}
