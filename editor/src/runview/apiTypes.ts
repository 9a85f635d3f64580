/**
 * The JSON the engine's API answers for runs, executions, artifacts, logs and metrics (see
 * /api/openapi.json). Dates arrive as RFC 3339 strings. Only what the run view and the lineage
 * explorer read is typed; extra fields are tolerated.
 */
import type { PipelineSpec } from 'sluice/dsl';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type ExecutionStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'cached' | 'skipped';

export interface Run {
  id: string;
  pipelineVersionId: string;
  pipelineName: string;
  status: RunStatus;
  params: Record<string, JsonValue>;
  trigger: Record<string, JsonValue>;
  workflowId: string;
  failedTask: string | null;
  error: string | null;
  outputs: Record<string, JsonValue> | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** With `taskCounts=true` on the runs list and its stream: executions by status. */
  taskCounts?: Record<string, number>;
}

export interface Execution {
  id: string;
  runId: string;
  /** Task path: train, sweep[3]/train, sub/train. */
  taskId: string;
  componentName: string;
  componentDigest: string;
  status: ExecutionStatus;
  attempt: number;
  params: Record<string, JsonValue>;
  outputParams: Record<string, JsonValue> | null;
  error: string | null;
  cacheKey: string | null;
  cachedFrom: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface Artifact {
  id: string;
  type: string;
  name: string;
  uri: string;
  sha256: string;
  size: number;
  properties: Record<string, JsonValue>;
  createdAt: string;
}

export interface RunArtifact extends Artifact {
  taskId: string;
  port: string;
  /** Handed out from the cache: written by an execution of another run or task (absent from older servers). */
  reused?: boolean;
}

/** A task in the workflow's status query (`task` events carry it with `task`). */
export interface TaskStatus {
  state: string;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  executionId?: string;
  items?: { total: number; succeeded: number; failed: number; done: number };
  approval?: { message?: string; deadline?: number };
  /** Reported by GPU routing when a task waits for a worker of its queue (tolerated; any of these). */
  waitingFor?: string;
  queue?: string;
}

export interface LiveStatus {
  runId: string;
  pipeline: string;
  state: string;
  tasks: Record<string, TaskStatus>;
  failedTask?: string;
  error?: string;
}

export interface RunDetail {
  run: Run;
  executions: Execution[];
  artifacts: RunArtifact[];
  live: LiveStatus | null;
}

export interface LogLine {
  runId: string;
  executionId: string;
  taskId: string;
  attempt: number;
  seq: number;
  ts: string;
  stream: 'log' | 'stdout' | 'stderr' | 'system';
  level: 'debug' | 'info' | 'warn' | 'error' | null;
  message: string;
  fields: Record<string, JsonValue> | null;
}

export interface MetricSeries {
  taskId: string;
  key: string;
  points: { step: number; value: number }[];
}

export interface PipelineVersion {
  id: string;
  pipelineName: string;
  digest: string;
  spec: PipelineSpec;
}
