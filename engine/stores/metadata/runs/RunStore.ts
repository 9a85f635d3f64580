/** Runs: what was submitted (version, params, trigger), its status and its outcome. */
import type { PipelineSpec } from '../../../../dsl/ir/schema';
import type { Json } from '../Json';
import type { PipelineVersionRecord } from '../pipelines/PipelineStore';

export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

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

export interface RunStore {
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
  /** Number of runs in each status (statuses without runs count 0). */
  countRunsByStatus(): Promise<Record<RunStatus, number>>;
}
