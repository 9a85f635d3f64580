/**
 * The metadata store: what ran, with what, producing what (modelled on ML Metadata).
 * One interface, two backends (PGlite embedded, PostgreSQL over `pg`), one contract test suite.
 *
 * Every write that an activity makes is idempotent: a retried or re-delivered attempt calls the
 * same method with the same ids and never duplicates a row.
 */
import type { PipelineSpec } from '../../dsl/ir/schema';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'cached' | 'skipped';
export type EventKind = 'input' | 'output';

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
}

export interface LineageNode {
  kind: 'artifact' | 'execution';
  id: string;
  /** Hops from the starting artifact (0 for itself). */
  depth: number;
  artifact?: ArtifactRecord;
  execution?: ExecutionRecord;
}

export interface LineageEdge {
  /** Upstream → downstream: artifact → execution for inputs, execution → artifact for outputs. */
  from: string;
  to: string;
  kind: EventKind;
  port: string;
}

export interface LineageGraph {
  root: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** True when the depth bound cut the walk short. */
  truncated: boolean;
}

export interface RunFilter {
  pipelineName?: string;
  status?: RunStatus;
  limit?: number;
}

export interface MetadataStore {
  /** Applies the checked-in drizzle-kit migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Creates the pipeline (by name) and the version (by digest) if missing; returns both ids. */
  registerPipelineVersion(spec: PipelineSpec, digest: string): Promise<PipelineVersionRecord>;
  getPipelineVersion(id: string): Promise<PipelineVersionRecord | undefined>;
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
      attempt?: number;
    },
  ): Promise<void>;
  getExecution(id: string): Promise<ExecutionRecord | undefined>;
  /** In start order. */
  listExecutions(runId: string): Promise<ExecutionRecord[]>;

  /** Inserts the artifact if its id is new; returns the stored row either way. */
  recordArtifact(a: Omit<ArtifactRecord, 'createdAt'>): Promise<ArtifactRecord>;
  getArtifact(id: string): Promise<ArtifactRecord | undefined>;
  /** Idempotent on (executionId, artifactId, kind, port). */
  recordEvent(e: EventRecord): Promise<void>;
  listEvents(filter: { executionId?: string; artifactId?: string; runId?: string }): Promise<EventRecord[]>;
  /** Artifacts a run produced (output events of its executions). */
  listRunArtifacts(runId: string): Promise<(ArtifactRecord & { taskId: string; port: string })[]>;

  /** Idempotent on (executionId, key, step): a retried write replaces the value. */
  recordMetric(m: MetricRecord): Promise<void>;
  listMetrics(filter: { runId?: string; executionId?: string }): Promise<MetricRecord[]>;

  /**
   * The lineage graph around an artifact: upstream (what produced it, from what) and/or downstream
   * (what consumed it, producing what), at most `depth` execution hops each way. Recursive CTEs.
   * Edges are all events between the returned nodes. An unknown artifact gives an empty graph.
   */
  lineage(artifactId: string, options: { direction: 'upstream' | 'downstream' | 'both'; depth: number }): Promise<LineageGraph>;
}
