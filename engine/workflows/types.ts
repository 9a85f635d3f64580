/**
 * Messages between the `pipelineRun` workflow, its activities and clients. Only references and
 * small parameter values travel through Temporal history; artifact bytes never do.
 * Pure types: imported by workflow code, activities and clients alike.
 */
import type { ComponentSpec, PipelineSpec } from '../../dsl/ir/schema';

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
export type PortValue = ArtifactRefValue | ParameterValue;

export interface PipelineRunInput {
  runId: string;
  spec: PipelineSpec;
  /** Pipeline input values, already checked and completed with defaults by the submitter. */
  params: Record<string, Json>;
  /** Prefix of the task queues (`<prefix>` for the workflow, `<prefix>-cpu`, `<prefix>-gpu`). */
  taskQueuePrefix: string;
}

export interface ExecuteTaskInput {
  runId: string;
  taskId: string;
  component: ComponentSpec;
  /** Resolved values of the inputs the task sets; unset optional inputs are absent. */
  inputs: Record<string, PortValue>;
}

export interface ExecuteTaskResult {
  executionId: string;
  outputs: Record<string, PortValue>;
}

export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface TaskStatus {
  state: TaskState;
  /** Workflow time (ms since epoch). */
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  executionId?: string;
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

/** Activities the workflow calls: implemented in engine/activities, typed here for proxyActivities. */
export interface TaskActivities {
  executeTask(input: ExecuteTaskInput): Promise<ExecuteTaskResult>;
}
export interface RunActivities {
  markRunStarted(input: { runId: string }): Promise<void>;
  finishRun(input: FinishRunInput): Promise<void>;
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
