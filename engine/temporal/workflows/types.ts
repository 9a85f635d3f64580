/**
 * Messages between the `pipelineRun` workflow, its activities and clients. Only references and
 * small parameter values travel through Temporal history; artifact bytes never do.
 * Pure types: imported by workflow code, activities and clients alike.
 */
import { formatMs } from '../../../dsl/ir/duration';
import type { ComponentSpec, PipelineSpec, TaskSpec } from '../../../dsl/ir/schema';
import type { TuneSpec } from '../../../dsl/ir/tuneSpec';
import type { ScopeEnv } from './bindings';

// The pure binding code the light-chain activity shares with the workflow (bindings.ts).
export { taskInputs, whySkip, type NodeOutcome, type ScopeEnv } from './bindings';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A reference to a stored artifact. */
export interface ArtifactRefValue {
  kind: 'artifact';
  artifactId: string;
  type: string;
  uri: string;
  sha256: string;
}
export interface ParameterValue {
  kind: 'parameter';
  value: Json;
}
/**
 * Fan-in of a loop output: resolved by the activity that consumes it (from the loop's recorded
 * items, in item order, succeeded items only), so a 10,000-item list never travels through history.
 */
export interface CollectionValue {
  kind: 'collection';
  runId: string;
  /** Loop path within the run, e.g. "sweep" or "outer[2]/inner". */
  loop: string;
  output: string;
  /** What each item is: parameter values of `type`, or artifacts of `type`. */
  itemKind: 'parameter' | 'artifact';
  type: string;
}
export type PortValue = ArtifactRefValue | ParameterValue | CollectionValue;

/** Resolved cache settings of one task in one run. */
export interface CachePolicy {
  enabled: boolean;
  maxAgeMs?: number;
}

/** One loop item's outcome, recorded by the batch workflow that ran it. */
export interface LoopItemOutcome {
  index: number;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  /** The loop's declared outputs for this item (absent when their task was skipped or failed). */
  outputs: Record<string, ArtifactRefValue | ParameterValue>;
  error?: string;
}

export interface PipelineRunInput {
  runId: string;
  spec: PipelineSpec;
  /** Pipeline input values, already checked and completed with defaults by the submitter. */
  params: Record<string, Json>;
  /** Artifact inputs of the pipeline (their `params` value is the artifact id), resolved by the submitter. */
  artifacts?: Record<string, ArtifactRefValue>;
  /** Prefix of the task queues (`<prefix>` for the workflow, `<prefix>-cpu`, `<prefix>-gpu`). */
  taskQueuePrefix: string;
  /** `false` turns caching off for every task of the run (`sluice run --no-cache`). */
  cache?: boolean;
  /** Results of tasks to reuse instead of running them (`sluice runs retry`): task id → old result. */
  reuse?: Record<string, ExecuteTaskResult>;
}

export interface ExecuteTaskInput {
  runId: string;
  /** Task path in the run: "train", "sweep[3]/train", "sub/train". */
  taskId: string;
  component: ComponentSpec;
  /** Resolved values of the inputs the task sets; unset optional inputs are absent. */
  inputs: Record<string, PortValue>;
  /** Absent: caching on, no age limit. */
  cache?: CachePolicy;
  /**
   * The attempt is counted from the step's row, and a finished row is answered from, as for a
   * local activity: set for the steps of a light-item group (a regular activity retried as a
   * whole), so a step the lost attempt finished does not run again and one it never started is
   * attempt 1.
   */
  attemptsFromRow?: boolean;
}

export interface ExecuteTaskResult {
  executionId: string;
  outputs: Record<string, PortValue>;
  /** Set when the outputs were reused from an earlier execution (cache hit or retried run). */
  cachedFrom?: string;
}

export type TaskState = 'pending' | 'running' | 'waiting' | 'succeeded' | 'cached' | 'skipped' | 'failed' | 'cancelled';

export interface TaskStatus {
  state: TaskState;
  /** Workflow time (ms since epoch). */
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  executionId?: string;
  /** Loops: item counts. */
  items?: { total: number; succeeded: number; failed: number; done: number };
  /** Approval gates while waiting. */
  approval?: { message?: string; deadline?: number };
  /** Tasks run by a worker: the task queue their attempts wait in (`<prefix>-cpu`, `<prefix>-gpu`). */
  taskQueue?: string;
  /**
   * Set by readers (API, CLI), never by the workflow, which cannot see workers: the task is
   * scheduled but no worker serves its queue (state is then 'waiting').
   */
  waitingFor?: { resourceClass: 'cpu' | 'gpu'; reason: string };
}

export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface RunStatusView {
  runId: string;
  pipeline: string;
  state: RunState;
  tasks: Record<string, TaskStatus>;
  failedTask?: string;
  error?: string;
}

export interface FinishRunInput {
  runId: string;
  status: RunState;
  error?: string;
  failedTask?: string;
  outputs?: Record<string, Json>;
}

/** Activities the workflow calls: implemented in engine/temporal/activities, typed here for proxyActivities. */
export interface TaskActivities {
  executeTask(input: ExecuteTaskInput): Promise<ExecuteTaskResult>;
  /** Several consecutive light steps of one scope in one local activity (scope.ts, activities/lightChain.ts). */
  executeLightChain(input: LightChainInput): Promise<LightChainResult>;
  /** A group of a loop batch's light items, each item's body a light chain, as one regular activity (loop.ts, activities/lightItems.ts). */
  executeLightItems(input: LightItemsInput): Promise<LightItemsResult>;
}

/**
 * Light items of a loop batch: every item runs the same light chain (the loop's whole body) with
 * its own loop item value, under `<loopPath>[index]/`.
 */
export interface LightItemsInput {
  runId: string;
  steps: LightChainStep[];
  /** The env every item shares: `prefix` and the loop's own item are set per item. */
  env: Omit<ScopeEnv, 'prefix'>;
  loopId: string;
  loopPath: string;
  items: { index: number; value: Json }[];
}

export interface LightItemsResult {
  /** One per item, in the order of `items`: the whole chain done, or where it stopped. */
  items: LightChainResult[];
}

/** One step of a fused light chain: a function task of the scope, `execution: 'local'`. */
export interface LightChainStep {
  /** The node's id in its scope (the task path is the scope's prefix + id). */
  id: string;
  task: TaskSpec;
  component: ComponentSpec;
  cache: CachePolicy;
}

/**
 * A chain of light steps where each step after the first reads only its predecessor among the
 * scope's nodes; run in order, each step through executeTask, so each has its own execution row.
 */
export interface LightChainInput {
  runId: string;
  steps: LightChainStep[];
  /** The scope's env, with `outer` holding only the outcomes (of this scope or enclosing ones) the steps read. */
  env: ScopeEnv;
}

export interface LightChainResult {
  /** What executeTask returned for each step that ran (or was a cache hit), in order: steps[0..done.length). */
  done: ExecuteTaskResult[];
  /**
   * Why the chain ended before its last step; the step at `done.length` is that step. `skip`: it is
   * to be skipped (the workflow records it as for any step). `failed`: its attempt failed, with
   * the error executeTask threw and whether it may be retried.
   */
  stop?: { reason: 'skip' } | { reason: 'failed'; error: string; nonRetryable: boolean };
}
export interface RunActivities {
  markRunStarted(input: { runId: string }): Promise<void>;
  finishRun(input: FinishRunInput): Promise<void>;
  /**
   * Records executions that did not run a component: skipped tasks, reused results of a retried
   * run (status 'cached', linked to the old execution), approval gates. Idempotent.
   * Resolves to one entry per execution, in order (`undefined` when replaying histories recorded
   * before it returned anything; an empty list for a run without a row).
   */
  recordExecutions(input: { runId: string; executions: RecordedExecution[] }): Promise<RecordedExecutionResult[] | undefined>;
  /**
   * Records a run started without a client (by a schedule or a trigger): checks the parameters
   * against the pipeline version and fills defaults. Idempotent on the run id.
   */
  createTriggeredRun(input: {
    runId: string;
    pipelineVersionId: string;
    params: Record<string, Json>;
    trigger: Record<string, Json>;
  }): Promise<{ spec: PipelineSpec; params: Record<string, Json>; artifacts: Record<string, ArtifactRefValue> }>;
  /** Stores a batch of loop items' outcomes (idempotent per run, loop path and index). */
  recordLoopItems(input: { runId: string; loop: string; items: LoopItemOutcome[] }): Promise<void>;
}

export interface RecordedExecutionResult {
  taskId: string;
  /**
   * For a 'failed' record: the attempt number of the row a worker had already written for the task
   * (an earlier attempt, failed or abandoned), which this record therefore did not replace; null
   * when there was none (or for other statuses).
   */
  priorAttempt: number | null;
}

export interface RecordedExecution {
  taskId: string;
  componentName: string;
  componentDigest: string;
  status: 'skipped' | 'cached' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
  params?: Record<string, Json>;
  outputParams?: Record<string, Json>;
  error?: string;
  /** For reused results: the execution whose outputs are reused; its output events are copied. */
  cachedFrom?: string;
}

/** What a Temporal Schedule starts (`scheduledRun`): a pipeline version and its parameters. */
export interface ScheduledRunInput {
  scheduleId: string;
  pipelineVersionId: string;
  params: Record<string, Json>;
  taskQueuePrefix: string;
}

/** A run started by a trigger (`triggeredRun`). */
export interface TriggeredRunInput {
  triggerId: string;
  /** Given by the API for webhooks (so it can answer with the run id); else made by the workflow. */
  runId?: string;
  pipelineVersionId: string;
  params: Record<string, Json>;
  /** What happened: recorded in the run's trigger. */
  event: Record<string, Json>;
  taskQueuePrefix: string;
}

/** Settings of a trigger; held by its `triggerSensor` workflow (workflow id `trigger-<id>`). */
export type TriggerDefinition = {
  id: string;
  taskQueuePrefix: string;
  /** How often sensors look for new events (ms). */
  pollMs?: number;
  /** ISO time: events from then on count (moves forward as the sensor runs). */
  since: string;
} & (
  | {
      kind: 'webhook';
      pipelineVersionId: string;
      params: Record<string, Json>;
      /** Pipeline input → dotted path into the JSON payload ("model.name"). */
      mapping: Record<string, string>;
      /** HMAC-SHA256 key. Held in the workflow (and so its history): protect the Temporal server. */
      secret: string;
    }
  | {
      kind: 'artifact';
      pipelineVersionId: string;
      params: Record<string, Json>;
      /** The pipeline input that receives the new artifact. */
      input: string;
      match: { type: string; name?: string; properties?: Record<string, Json> };
    }
  | {
      kind: 'completion';
      pipelineVersionId: string;
      params: Record<string, Json>;
      after: { pipeline: string; statuses: ('succeeded' | 'failed' | 'cancelled')[] };
      /** This pipeline's input → the finished run's output name. */
      mapping: Record<string, string>;
    }
  | {
      kind: 'notification';
      after: { pipeline?: string; statuses: ('succeeded' | 'failed' | 'cancelled')[] };
      url: string;
    }
);

export interface TriggerEvent {
  /** Unique per trigger: an event with a key already used never starts anything again. */
  key: string;
  params: Record<string, Json>;
  event: Record<string, Json>;
}

export interface TriggerActivities {
  /** New events since `cursor` (inclusive) and the next cursor. */
  pollTriggerEvents(input: { definition: TriggerDefinition; cursor: string }): Promise<{ events: TriggerEvent[]; cursor: string }>;
  /** POSTs a JSON summary of a finished run to `url`; a non-2xx answer is retried. */
  postNotification(input: { url: string; runId: string; triggerId: string }): Promise<void>;
}

/** Input of the `nestedPipeline` child workflow (a pipeline used as a task). */
export interface NestedPipelineInput {
  runId: string;
  taskQueuePrefix: string;
  cache: boolean;
  spec: PipelineSpec;
  /** Task path prefix of the nested tasks: "<parent task path>/". */
  prefix: string;
  inputs: Record<string, PortValue>;
}

/** Signals and queries of `pipelineRun`. */
export const APPROVE_SIGNAL = 'approve';
export interface ApprovalDecision {
  /** Task id of the approval gate; may be left out when exactly one gate is waiting. */
  task?: string;
  approved: boolean;
  comment?: string;
  by?: string;
}

export const STATUS_QUERY = 'status';
/** Workflow id of a run: stable, so starting the same run twice is refused by Temporal. */
export const workflowIdFor = (runId: string): string => `run-${runId}`;
/** Execution id of a task in a run: deterministic, so retried attempts update one row. */
export const executionIdFor = (runId: string, taskId: string): string => `${runId}.${taskId}`;

export function taskQueueFor(prefix: string, component: Pick<ComponentSpec, 'resources'>, override?: ComponentSpec['resources']): string {
  const gpu = override?.gpu ?? component.resources?.gpu ?? 0;
  return gpu > 0 ? `${prefix}-gpu` : `${prefix}-cpu`;
}

/**
 * The error of a task whose attempt waited `queueMs` (its `timeout.queueMs`) in `taskQueue` with no
 * worker taking it. `priorAttempt`: the last attempt a worker took before (null: none, this was
 * attempt 1) — the limit applies to each attempt, so a retry can time out after a worker ran one.
 */
export function noWorkerPickedUpError(taskQueue: string, queueMs: number, priorAttempt: number | null): string {
  const resourceClass = taskQueue.endsWith('-gpu') ? 'gpu' : 'cpu';
  const where = `task queue ${taskQueue}; start one with: sluice worker --queue ${resourceClass}`;
  if (priorAttempt === null) return `no ${resourceClass} worker picked up the task within ${formatMs(queueMs)} (${where})`;
  return (
    `attempt ${priorAttempt + 1} waited ${formatMs(queueMs)} for a ${resourceClass} worker and none picked it up ` +
    `(the wait limit applies to each attempt; attempt ${priorAttempt} had run on a worker; ${where})`
  );
}

// ---- Tuning studies (`p.tune`; workflows/study.ts, activities/studyActivities.ts) ----

/** Input of the `tuneStudy` child workflow: one study node of a run. */
export interface TuneStudyInput {
  runId: string;
  taskQueuePrefix: string;
  cache: boolean;
  /** Task path of the study in the run; trial n runs as "<studyPath>[n]". */
  studyPath: string;
  component: ComponentSpec;
  /** The study node (its `tune` block, execution options). */
  task: TaskSpec & { tune: TuneSpec };
  /** Resolved values of the inputs not searched. */
  inputs: Record<string, PortValue>;
}

export type StudyTrialState = 'running' | 'succeeded' | 'failed' | 'pruned' | 'cancelled';

/** A trial as the study workflow knows it. */
export interface StudyTrial {
  number: number;
  params: Record<string, Json>;
  state: StudyTrialState;
  value?: number;
  prunedStep?: number;
  reason?: string;
  /** Workflow time (ms since epoch). */
  startedAt: number;
  finishedAt?: number;
}

/** What `sluice tune show` and the `tuneStatus` query see of a study while it runs. */
export interface StudyView {
  study: string;
  parallelTrials: number;
  maxTrials: number;
  /** Stopped early by a person (`sluice tune stop`). */
  stopRequested: boolean;
  trials: StudyTrial[];
  best?: { number: number; value: number; params: Record<string, Json> };
}

/** A change to a running study (`sluice tune set` / `stop`). */
export interface StudyControl {
  parallelTrials?: number;
  maxTrials?: number;
  /** Start no more trials, cancel the running ones, finish with the best so far. */
  stop?: boolean;
}

export const TUNE_CONTROL_UPDATE = 'tuneControl';
export const TUNE_STATUS_QUERY = 'tuneStatus';
/** Workflow id of a study: found from the run id and the study's path alone (also inside loops). */
export const studyWorkflowId = (runId: string, studyPath: string): string => `${workflowIdFor(runId)}/tune/${studyPath}`;

/** The trials so far are read from `tune_trials` by the activity (the workflow records them first). */
export interface SuggestTrialsInput {
  runId: string;
  study: string;
  tune: TuneSpec;
  count: number;
}
export interface FinishTrialInput {
  runId: string;
  study: string;
  objective: TuneSpec['objective'];
  trial: StudyTrial;
  /** The trial's execution when it succeeded (its metrics are read from there, or from the one it reused). */
  executionId?: string;
}
export interface StudyActivities {
  /** The next `count` trials' parameters from the recorded history (null: nothing left to try). */
  suggestTrials(input: SuggestTrialsInput): Promise<(Record<string, Json> | null)[]>;
  /**
   * Writes trials' rows (started, pruned, failed, cancelled). Idempotent. `lastValueOf`: a metric
   * whose last recorded value becomes the value of pruned trials that have none. `objectiveTask`:
   * a nested pipeline as the trial; the trial's metrics are those of this inner task's execution.
   */
  recordTrials(input: { runId: string; study: string; trials: StudyTrial[]; lastValueOf?: string; objectiveTask?: string }): Promise<void>;
  /** A finished trial's objective value from its metrics; writes its row. Succeeded without the metric → failed. */
  /**
   * A trial without the objective metric is failed, with `reported`: the metric keys it did report
   * (older workers leave it out), so the study can fail early naming them.
   */
  finishTrial(input: FinishTrialInput): Promise<{ state: 'succeeded' | 'failed'; value?: number; reason?: string; reported?: string[] }>;
  /** Which running trials the early-stopping rule stops now, from their intermediate values. */
  judgeTrials(input: { runId: string; study: string; tune: TuneSpec; running: number[] }): Promise<{ number: number; step: number; reason: string }[]>;
  /**
   * Writes the study's recorded trials as a Dataset artifact (output `trialsDataset`, one row per
   * trial) produced by the study's own execution (task path `study`). Idempotent.
   */
  writeTrialsDataset(input: WriteTrialsDatasetInput): Promise<ArtifactRefValue>;
}

export interface WriteTrialsDatasetInput {
  runId: string;
  study: string;
  /** The search parameters, in the space's order: one column each. */
  parameters: string[];
  /** The trial component: the study's execution row names it. */
  componentName: string;
  componentDigest: string;
  /** The study's fixed parameter inputs (the execution's params). */
  params: Record<string, Json>;
}

// ---- model rollouts (rollout.ts) ----------------------------------------------------------------

/** What a rollout does: stepped canary with gates, shadow (mirror only), or a fixed sticky A/B split. */
export type RolloutPlanMode = 'canary' | 'shadow' | 'ab';

export interface RolloutPlan {
  mode: RolloutPlanMode;
  /** canary: the candidate's weight (percent) at each step, ascending; the last is usually 100. */
  steps: number[];
  /** How long each step's window lasts before its gates are read. */
  intervalMs: number;
  /** Gate: largest error rate of the candidate in a window, as a fraction (0.01 = 1%). */
  maxErrorRate: number;
  /** Gate: largest p99 latency of the candidate in a window, in ms (the histogram bucket bound it falls in). */
  maxP99Ms: number;
  /** A window with fewer candidate requests than this is not judged: the step is held for another window. */
  minRequests: number;
  /** Held windows of one step before the rollout is rolled back for lack of traffic. */
  maxHolds: number;
  /** ab: the candidate's fixed weight. */
  split?: number;
  /**
   * canary and ab: the request header (lowercase) whose value the model server hashes to pick the
   * arm, so one value always reaches the same version; absent: x-sluice-route-key. The model server
   * reads it from the stored plan; the workflow does not.
   */
  routeKeyHeader?: string;
}

export interface ModelRolloutInput {
  rolloutId: string;
  model: string;
  baselineVersion: number;
  candidateVersion: number;
  plan: RolloutPlan;
  /** The control task queue (the activities run there). */
  taskQueuePrefix: string;
  /** Who started it: the alias move's actor when it promotes. */
  actor: string;
}

/** The candidate version's cumulative series on the model server's /metrics at one instant. */
export interface ServingSnapshot {
  requests: number;
  errors: number;
  /**
   * The latency histogram's cumulative buckets: upper bound in seconds → count. +Inf is null: this
   * travels as JSON (Temporal's payload converter), where Infinity would arrive as null anyway.
   */
  buckets: { le: number | null; count: number }[];
  /** Shadow mode: requests mirrored to this version, by whether its answer agreed with the baseline's. */
  shadow: { agree: number; disagree: number; error: number };
}

/** What a window's gates were judged on. */
export interface GateFigures {
  requests: number;
  errors: number;
  errorRate: number | null;
  /** Upper bound (ms) of the histogram bucket holding the 99th percentile; null: no requests, or above the largest bound. */
  p99Ms: number | null;
  maxErrorRate: number;
  maxP99Ms: number;
  minRequests: number;
  windowMs: number;
}

export type RolloutEnd = 'promoted' | 'rolled-back' | 'aborted';

/** Ends a running rollout from outside: abort (any mode), promote (shadow and A/B, which have no gates). */
export interface RolloutControl {
  action: 'abort' | 'promote';
  reason: string;
  actor: string;
}
export const ROLLOUT_CONTROL_SIGNAL = 'rolloutControl';
/** Workflow id of a rollout, from its id. */
export const rolloutWorkflowId = (rolloutId: string): string => `rollout-${rolloutId}`;

export interface RolloutActivities {
  /** Sets the candidate's weight (the model server picks it up with its poll) and logs the decision. Idempotent. */
  rolloutSetWeight(input: { rolloutId: string; step: number; weight: number; reason: string }): Promise<void>;
  /** Reads the candidate version's series from the model server's /metrics ($SLUICE_MODEL_SERVER_URL). */
  rolloutScrape(input: { model: string; version: number }): Promise<ServingSnapshot>;
  /** Logs a decision that does not end the rollout (a step passed, a window held). Idempotent by `key`. */
  rolloutDecide(input: { rolloutId: string; key: string; step: number; weight: number; action: 'pass' | 'hold' | 'observe'; figures: Record<string, Json>; reason: string }): Promise<void>;
  /**
   * Ends the rollout: promoted moves `champion` to the candidate (compare-and-set from the baseline,
   * through the registry's alias move, so it lands in the alias history); rolled-back and aborted
   * set the weight to 0. Logs the decision with its figures. Returns how it really ended (a
   * promotion finds `champion` moved by someone else: aborted, with that reason).
   */
  rolloutFinish(input: {
    rolloutId: string;
    model: string;
    baselineVersion: number;
    candidateVersion: number;
    state: RolloutEnd;
    step: number;
    weight: number;
    figures: Record<string, Json>;
    reason: string;
    actor: string;
  }): Promise<{ state: RolloutEnd; reason: string }>;
}
