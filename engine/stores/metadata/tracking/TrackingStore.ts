/**
 * Run tracking beyond what pipelines record by themselves: tags and the note on runs (editable after
 * the fact), runs created from outside a workflow (the MLflow API: one run, one execution that holds
 * its params, metrics and artifacts), what a script logs onto a task's execution, and run search by
 * a typed filter (runFilter.ts). A concern of its own next to the MetadataStore, over the same
 * database (`metadata.tracking`).
 */
import type { PipelineSpec } from '../../../../dsl/ir/schema';
import type { ArtifactRecord, Json, RunRecord, RunStatus } from '../MetadataStore';
import type { RunFilterExpr, RunOrder } from './runFilter';

/** The tag that holds a run's free-text note (MLflow's key for a run's description). */
export const NOTE_TAG = 'mlflow.note.content';
/** The tag that holds a run's display name (MLflow's key). */
export const RUN_NAME_TAG = 'mlflow.runName';
/** `trigger.kind` of a run created through the MLflow API (its origin marker). */
export const MLFLOW_TRIGGER_KIND = 'mlflow';
/** Task id of the one execution of an MLflow-created run. */
export const MLFLOW_TASK_ID = 'mlflow';

export interface RunTag {
  key: string;
  value: string;
}

/** Where logged values land: an execution of a run. */
export interface TrackingTarget {
  runId: string;
  executionId: string;
  /** True for a run created through the MLflow API: its params and status are also the run's. */
  tracked: boolean;
}

export interface LoggedMetric {
  key: string;
  value: number;
  step: number;
}

/** An artifact a client uploaded to an execution, at a relative path. */
export interface LoggedArtifact {
  path: string;
  artifact: ArtifactRecord;
}

export interface RunSearch {
  /** Runs in any of these experiments (ids). */
  experimentIds: readonly string[];
  filter: RunFilterExpr;
  order: readonly RunOrder[];
  offset: number;
  limit: number;
}

/** Sluice's own run listing (GET /api/runs): every run, a typed filter and order, paged. */
export interface RunListSearch {
  filter: RunFilterExpr;
  /** Empty: newest first. */
  order: readonly RunOrder[];
  pipelineName?: string;
  status?: RunStatus;
  triggerKind?: string;
  createdFrom?: Date;
  createdTo?: Date;
  experimentId?: string;
  /** Keyset paging in the default order (no `order`): runs after this one (its id). */
  after?: string;
  /** Offset paging (with an `order`). */
  offset?: number;
  limit: number;
}

/** The latest value of a metric of a run: at its highest step (the newest write on a tie). */
export interface LatestMetric {
  key: string;
  value: number;
  step: number;
}

export interface TrackingStore {
  /**
   * A run created from outside a workflow, in one transaction: the pipeline and version that stand
   * for such runs (registered if missing), the run (status running, trigger `{ kind: 'mlflow', … }`),
   * its one execution (task `mlflow`), its experiment membership and tags. A failure writes none.
   * MetadataStoreError('not_found') for an unknown experiment.
   */
  createTrackedRun(input: {
    runId: string;
    experimentId: string;
    spec: PipelineSpec;
    digest: string;
    trigger: Record<string, Json>;
    startedAt: Date;
    tags: readonly RunTag[];
  }): Promise<void>;
  /** Sets a tracked run's status (a final run is never reopened; the update is then a no-op). */
  setTrackedRunStatus(runId: string, status: RunStatus, finishedAt?: Date): Promise<void>;
  /**
   * Logs params, metrics and tags onto an execution in one transaction. Params are immutable: a key
   * logged again with another value is MetadataStoreError('conflict') naming it, and nothing is
   * written. Metrics upsert by (execution, key, step). Tags go on the execution's run.
   */
  logToExecution(
    target: TrackingTarget,
    values: { params?: readonly RunTag[]; metrics?: readonly LoggedMetric[]; tags?: readonly RunTag[] },
  ): Promise<void>;
  /** Tags of these runs, by run id (keys sorted). */
  listTags(runIds: readonly string[]): Promise<Map<string, RunTag[]>>;
  /** Sets (or with `null` removes) tags of a run, in one transaction. */
  setTags(runId: string, tags: readonly { key: string; value: string | null }[]): Promise<void>;
  /** Ids of runs matching the search, in its order (newest first by default). */
  searchRunIds(search: RunSearch): Promise<string[]>;
  /** Runs matching the search, in its order, then newest first. */
  searchRuns(search: RunListSearch): Promise<RunRecord[]>;
  /** Per run, the latest value of each metric (of these keys, when given), keys sorted. */
  latestMetrics(runIds: readonly string[], keys?: readonly string[]): Promise<Map<string, LatestMetric[]>>;
  /**
   * Records an uploaded file as an output of the execution at `path` (artifact + output event, one
   * transaction). An upload to a path that has one replaces it in listings (newest wins).
   */
  recordLoggedArtifact(executionId: string, path: string, artifact: Omit<ArtifactRecord, 'createdAt' | 'id' | 'name'>): Promise<ArtifactRecord>;
  /** The newest artifact at each path an execution was given by uploads, by path. */
  listLoggedArtifacts(executionId: string): Promise<LoggedArtifact[]>;
  /** The experiments each run belongs to (ids, oldest membership first), by run id. */
  experimentsOf(runIds: readonly string[]): Promise<Map<string, string[]>>;
  /** The experiment (id and name) of each of these runs that has one, by run id: one query for a list page. */
  experimentRefsOf(runIds: readonly string[]): Promise<Map<string, { id: string; name: string }>>;
  /** Deletes a tracked run and everything of it; false when there is no such tracked run. */
  deleteTrackedRun(runId: string): Promise<boolean>;
}
