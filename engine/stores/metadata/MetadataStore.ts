/**
 * The metadata store: what ran, with what, producing what (modelled on ML Metadata).
 * One interface, two backends (PGlite embedded, PostgreSQL over `pg`), one contract test suite.
 *
 * Every write that an activity makes is idempotent: a retried or re-delivered attempt calls the
 * same method with the same ids and never duplicates a row.
 */
import type { PipelineSpec } from '../../../dsl/ir/schema';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
/** 'waiting': an approval gate waiting for its decision. */
export type ExecutionStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'cached' | 'skipped';
/**
 * How an execution is linked to an artifact. 'input': it read the artifact; 'output': it wrote it
 * (an artifact has exactly one); 'reused': a cached execution handed out, at its output port, an
 * artifact that another execution wrote (the reuse relation, never a second producer).
 */
export type EventKind = 'input' | 'output' | 'reused';

export interface PipelineRecord {
  id: string;
  name: string;
  createdAt: Date;
}

export interface PipelineVersionRecord {
  id: string;
  pipelineId: string;
  pipelineName: string;
  digest: string;
  spec: PipelineSpec;
  createdAt: Date;
}

export interface RunRecord {
  id: string;
  pipelineVersionId: string;
  pipelineName: string;
  status: RunStatus;
  params: Record<string, Json>;
  /** What started the run: { kind: 'manual' | 'cli' | 'schedule' | 'trigger', ... }. */
  trigger: Record<string, Json>;
  workflowId: string;
  /** Task id that failed the run, when it failed because of a task. */
  failedTask: string | null;
  error: string | null;
  /** Pipeline outputs: output name → artifact id or parameter value. */
  outputs: Record<string, Json> | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface ExecutionRecord {
  /** Deterministic: the same task of the same run always has the same id. */
  id: string;
  runId: string;
  taskId: string;
  componentName: string;
  componentDigest: string;
  status: ExecutionStatus;
  /** Number of the attempt that last wrote this row (1-based). */
  attempt: number;
  /** Parameter input values. */
  params: Record<string, Json>;
  /** Parameter output values. */
  outputParams: Record<string, Json> | null;
  error: string | null;
  cacheKey: string | null;
  cachedFrom: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface ArtifactRecord {
  /** Deterministic for outputs (derived from execution id + port), so retries upsert. */
  id: string;
  type: string;
  /** Human name, e.g. "<task>.<port>". */
  name: string;
  uri: string;
  sha256: string;
  size: number;
  properties: Record<string, Json>;
  createdAt: Date;
}

export interface EventRecord {
  executionId: string;
  artifactId: string;
  kind: EventKind;
  port: string;
}

export interface MetricRecord {
  runId: string;
  executionId: string;
  key: string;
  value: number;
  /** Series position (epoch, …); 0 for single values. */
  step: number;
  /** What the step counts ("epoch"), when the component said so. */
  stepLabel?: string;
}

/** How often a node was reused from the cache: by how many cached executions, in how many runs. */
export interface ReuseCount {
  executions: number;
  runs: number;
}

export interface LineageNode {
  kind: 'artifact' | 'execution';
  id: string;
  /** Hops from the starting artifact (0 for itself). */
  depth: number;
  artifact?: ArtifactRecord;
  execution?: ExecutionRecord;
  /**
   * The cached executions folded into this node (lineage() fills it in). An execution: those that
   * reused its result (`cachedFrom` = it). An artifact: those linked to it by any event (they
   * handed it out, or were given it).
   */
  reusedBy?: ReuseCount;
}

export interface LineageEdge {
  /**
   * Upstream → downstream: artifact → execution for inputs, execution → artifact for outputs and
   * for reuses (the cached execution → the artifact it handed out).
   */
  from: string;
  to: string;
  kind: EventKind;
  port: string;
}

/**
 * A node's neighbours in the whole store, counted as lineage walks them. An artifact: upstream its
 * producer, downstream the executions that ran on it. An execution: upstream the artifacts it read,
 * downstream those it wrote or (cached) handed out. `reusedBy` as in LineageNode.
 */
export interface LineageNeighbours {
  id: string;
  upstream: number;
  downstream: number;
  reusedBy: ReuseCount;
}

export interface LineageGraph {
  root: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** True when the depth bound cut the walk short. */
  truncated: boolean;
}

export type TaskLogStream = 'log' | 'stdout' | 'stderr' | 'system';
export type TaskLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A task log line as its writer sends it. */
export interface TaskLogInput {
  ts: Date;
  stream: TaskLogStream;
  level?: TaskLogLevel;
  message: string;
  fields?: Record<string, Json>;
  /**
   * Position of the line within its attempt (1-based), chosen by the writer: a batch sent twice
   * (a retried write whose first try did commit) is stored once. Absent: numbered after the
   * attempt's last stored line.
   */
  line?: number;
}

export interface TaskLogRecord {
  runId: string;
  executionId: string;
  taskId: string;
  attempt: number;
  /** Position among all lines of the execution (all attempts), from 1; the cursor of `afterSeq`. */
  seq: number;
  ts: Date;
  stream: TaskLogStream;
  level: TaskLogLevel | null;
  message: string;
  fields: Record<string, Json> | null;
}

export interface TaskLogFilter {
  runId: string;
  taskId?: string;
  executionId?: string;
  attempt?: number;
  /** Only lines with a larger seq. Seqs count per execution: use with `taskId` or `executionId`. */
  afterSeq?: number;
  limit?: number;
}

export type LoopItemStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled';
/** The same shapes as the workflow's ArtifactRefValue / ParameterValue (this layer may not import them). */
export type LoopItemOutputValue =
  | { kind: 'artifact'; artifactId: string; type: string; uri: string; sha256: string }
  | { kind: 'parameter'; value: Json };

export interface LoopItemInput {
  index: number;
  status: LoopItemStatus;
  outputs: Record<string, LoopItemOutputValue>;
  error?: string | null;
}

export interface LoopItemRecord {
  index: number;
  status: LoopItemStatus;
  outputs: Record<string, LoopItemOutputValue>;
  error: string | null;
  updatedAt: Date;
}

/** A reusable earlier result: a succeeded execution and its output artifacts. */
export interface CachedExecution {
  execution: ExecutionRecord;
  /** Output artifacts by port. */
  outputs: Record<string, ArtifactRecord>;
}

export interface RunFilter {
  pipelineName?: string;
  status?: RunStatus;
  /** `trigger.kind` of the run: manual, cli, api, retry, schedule, trigger, … */
  triggerKind?: string;
  /** Created at or after this instant. */
  createdFrom?: Date;
  /** Created before this instant. */
  createdTo?: Date;
  /** Only runs of this experiment. */
  experimentId?: string;
  /**
   * Keyset paging: only runs after this one in list order (newest first), i.e. the id of the last
   * run of the previous page. An unknown id gives an empty list.
   */
  after?: string;
  limit?: number;
}

/** A pipeline version without its IR (listings). */
export type PipelineVersionSummary = Omit<PipelineVersionRecord, 'spec'>;

export interface ExperimentRecord {
  id: string;
  name: string;
  description: string | null;
  createdAt: Date;
  /** Runs in the experiment. */
  runCount: number;
}

/** Roles of API tokens: viewer reads; editor also submits and controls runs; admin also manages tokens. */
export type ApiRole = 'viewer' | 'editor' | 'admin';

export interface ApiTokenRecord {
  /** Public, random: the `<id>` of `sluice_<id>_<secret>`. */
  id: string;
  name: string;
  role: ApiRole;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface MetadataStore {
  /** Applies the checked-in drizzle-kit migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Creates the pipeline (by name) and the version (by digest) if missing, in one transaction; returns both ids. */
  registerPipelineVersion(spec: PipelineSpec, digest: string): Promise<PipelineVersionRecord>;
  /**
   * A submitted run with everything it needs, in one transaction: the pipeline and the version
   * (registered if missing), the run, and its experiment membership. A failure writes none of
   * them. Idempotent by run id.
   */
  recordSubmittedRun(input: {
    spec: PipelineSpec;
    digest: string;
    run: { id: string; params: Record<string, Json>; trigger: Record<string, Json>; workflowId: string };
    /** Add the run to this experiment (its id); MetadataStoreError('not_found') if there is none. */
    experimentId?: string;
  }): Promise<{ version: PipelineVersionRecord; run: RunRecord }>;
  getPipelineVersion(id: string): Promise<PipelineVersionRecord | undefined>;
  /**
   * Replaces a version's stored IR with one of the same digest that differs only in editor-only
   * `ui` fields (positions, collapsed groups): the caller checks the digest. Layout is not
   * identity, so the editor's last saved layout is what the version shows.
   */
  updatePipelineVersionLayout(id: string, spec: PipelineSpec): Promise<PipelineVersionRecord>;
  listPipelines(): Promise<PipelineRecord[]>;

  createRun(run: {
    id: string;
    pipelineVersionId: string;
    params: Record<string, Json>;
    trigger: Record<string, Json>;
    workflowId: string;
  }): Promise<RunRecord>;
  /**
   * Sets status and the given fields; a finished run (succeeded/failed/cancelled) is never reopened
   * (the update is then a no-op). `startedAt` defaults to now on the first 'running', `finishedAt`
   * to now on a final status. Throws MetadataStoreError('not_found') for an unknown run.
   */
  updateRun(
    id: string,
    patch: {
      status: RunStatus;
      startedAt?: Date;
      finishedAt?: Date;
      error?: string | null;
      failedTask?: string | null;
      outputs?: Record<string, Json> | null;
    },
  ): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;

  /**
   * Inserts the execution, or on a retry updates attempt/status/startedAt of the same row (and
   * clears the previous attempt's result). An older attempt than the stored one, or the same attempt
   * of an execution that already finished, changes nothing. Returns the stored row.
   */
  startExecution(e: {
    id: string;
    runId: string;
    taskId: string;
    componentName: string;
    componentDigest: string;
    attempt: number;
    params: Record<string, Json>;
    cacheKey?: string | null;
    startedAt?: Date;
  }): Promise<ExecutionRecord>;
  /**
   * Records how the execution ended. Fields left out keep their value (`error` is cleared,
   * `finishedAt` defaults to now). With `attempt`, only the row written by that attempt is
   * finished: a late finish from a superseded attempt is ignored instead of clobbering its retry.
   */
  finishExecution(
    id: string,
    result: {
      status: ExecutionStatus;
      error?: string | null;
      outputParams?: Record<string, Json> | null;
      finishedAt?: Date;
      /** Execution whose outputs were reused (status 'cached'). */
      cachedFrom?: string | null;
      cacheKey?: string | null;
      attempt?: number;
    },
  ): Promise<void>;
  /**
   * Records an execution that ran no component in this attempt (skipped, reused, an approval gate
   * waiting or decided) in one write: inserts the row, or updates it while its stored status is
   * 'running' or 'waiting'. A finished row is left alone, so a re-delivered or late call changes
   * nothing. `startedAt` keeps its stored value on update; `finishedAt` defaults to now for final
   * statuses and stays null for 'waiting'. Returns the stored row.
   */
  recordExecution(e: {
    id: string;
    runId: string;
    taskId: string;
    componentName: string;
    componentDigest: string;
    status: Exclude<ExecutionStatus, 'running'>;
    params: Record<string, Json>;
    outputParams?: Record<string, Json> | null;
    error?: string | null;
    cacheKey?: string | null;
    cachedFrom?: string | null;
    startedAt?: Date;
    finishedAt?: Date;
  }): Promise<ExecutionRecord>;
  getExecution(id: string): Promise<ExecutionRecord | undefined>;
  /** In start order. */
  listExecutions(runId: string): Promise<ExecutionRecord[]>;
  /** Executions of each run counted by status, in one query (runs lists' status summaries). */
  countExecutionsByStatus(runIds: readonly string[]): Promise<Map<string, Partial<Record<ExecutionStatus, number>>>>;
  /**
   * The newest succeeded execution with this cache key (finished within `maxAgeMs` of `now`, when
   * given) and its output artifacts. Only originals count: 'cached' rows point at one, which is found
   * itself.
   */
  findCachedExecution(cacheKey: string, options?: { maxAgeMs?: number; now?: Date }): Promise<CachedExecution | undefined>;

  /** Inserts the artifact if its id is new; returns the stored row either way. */
  recordArtifact(a: Omit<ArtifactRecord, 'createdAt'>): Promise<ArtifactRecord>;
  getArtifact(id: string): Promise<ArtifactRecord | undefined>;
  /** Artifacts by type and/or name recorded at or after `createdFrom`, oldest first (trigger sensors). */
  listArtifacts(filter: { type?: string; name?: string; createdFrom?: Date; limit?: number }): Promise<ArtifactRecord[]>;
  /** Idempotent on (executionId, artifactId, kind, port). */
  recordEvent(e: EventRecord): Promise<void>;
  listEvents(filter: { executionId?: string; artifactId?: string; runId?: string }): Promise<EventRecord[]>;
  /** The events between these artifacts and these executions (a graph's edges), in one query. */
  listEventsBetween(nodes: { artifactIds: readonly string[]; executionIds: readonly string[] }): Promise<EventRecord[]>;
  /**
   * Artifacts a run produced or reused (output and reused events of its executions); `reused` says
   * which were written by an execution of another run or task and handed out from the cache.
   */
  listRunArtifacts(runId: string): Promise<(ArtifactRecord & { taskId: string; port: string; reused: boolean })[]>;

  /** Idempotent on (executionId, key, step): a retried write replaces the value. */
  recordMetric(m: MetricRecord): Promise<void>;
  listMetrics(filter: { runId?: string; executionId?: string }): Promise<MetricRecord[]>;

  /**
   * Appends lines to an execution's log (attempt `attempt`). Lines keep their order; seqs continue
   * the execution's last one. Lines whose (attempt, line) is already stored are dropped, so a batch
   * sent again is stored once. Throws MetadataStoreError('not_found') for an unknown execution.
   */
  appendTaskLogs(target: { runId: string; executionId: string; attempt: number }, lines: TaskLogInput[]): Promise<void>;
  /**
   * Log lines of a run, oldest first: by seq for one execution; by time, then execution and seq,
   * across a run. Unknown run or task: an empty list.
   */
  listTaskLogs(filter: TaskLogFilter): Promise<TaskLogRecord[]>;

  /** Upserts loop items' outcomes by (run, loop path, index), all in one transaction: a re-recorded item replaces its row. */
  recordLoopItems(runId: string, loop: string, items: LoopItemInput[]): Promise<void>;
  /** By index. */
  listLoopItems(runId: string, loop: string, options?: { status?: LoopItemStatus }): Promise<LoopItemRecord[]>;

  /**
   * The lineage graph around an artifact: upstream (what produced it, from what) and/or downstream
   * (what consumed it, producing what), at most `depth` execution hops each way. Recursive CTEs.
   * Only executions that ran are walked: a cached execution is folded into the nodes it reused
   * (their `reusedBy`), so reuse never adds producers or grows the graph. Edges are the input and
   * output events between the returned nodes. An unknown artifact gives an empty graph.
   */
  lineage(artifactId: string, options: { direction: 'upstream' | 'downstream' | 'both'; depth: number }): Promise<LineageGraph>;
  /** Neighbour counts of these nodes, as lineage() walks them (lazy loading), in one query each kind. */
  countLineageNeighbours(nodes: { artifactIds: readonly string[]; executionIds: readonly string[] }): Promise<LineageNeighbours[]>;
  /**
   * The cached executions folded into a node (its `reusedBy`), oldest first: those that reused an
   * execution, or those linked to an artifact. At most `limit` (default all).
   */
  listReusingExecutions(target: { executionId: string } | { artifactId: string }, options?: { limit?: number }): Promise<ExecutionRecord[]>;

  // ---- for the HTTP API (engine/server/) ----

  /** Versions (without IR), newest first; of one pipeline when given. */
  listPipelineVersions(filter?: { pipelineId?: string }): Promise<PipelineVersionSummary[]>;
  /** Number of runs in each status (statuses without runs count 0). */
  countRunsByStatus(): Promise<Record<RunStatus, number>>;

  /** Throws MetadataStoreError('conflict') when the name is taken. */
  createExperiment(e: { id: string; name: string; description?: string | null }): Promise<ExperimentRecord>;
  /** By id or by name. */
  getExperiment(idOrName: string): Promise<ExperimentRecord | undefined>;
  /** By name. */
  listExperiments(): Promise<ExperimentRecord[]>;
  /** Idempotent. Throws MetadataStoreError('not_found') for an unknown experiment or run. */
  addRunsToExperiment(experimentId: string, runIds: string[]): Promise<void>;
  /** False when the run was not in the experiment. */
  removeRunFromExperiment(experimentId: string, runId: string): Promise<boolean>;

  /** Stores a token's public id and the sha256 of its secret (never the secret). */
  createApiToken(t: { id: string; name: string; role: ApiRole; secretHash: string }): Promise<ApiTokenRecord>;
  /** The token and its secret's hash, revoked or not; undefined for an unknown id. */
  findApiToken(id: string): Promise<{ token: ApiTokenRecord; secretHash: string } | undefined>;
  /** Oldest first, revoked ones included. */
  listApiTokens(): Promise<ApiTokenRecord[]>;
  /** False when there is no such token or it was already revoked. */
  revokeApiToken(id: string): Promise<boolean>;
  touchApiToken(id: string, at?: Date): Promise<void>;
}
