/**
 * MLflow's wire types (its REST API 2.0, `mlflow/protos/service.proto`), as zod schemas: the
 * requests this server accepts and the shapes it answers with. They are MLflow's, not Sluice's, so
 * they live here, in one place, and not in the Sluice contract. Objects are not strict: MLflow's
 * proto JSON parsing ignores fields it does not know, and newer clients send more of them.
 */
import { z } from 'zod';

/** int64 fields: proto JSON writes them as numbers or as decimal strings. */
const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'must be an integer').transform(Number)]);
/** double fields: numbers, or proto JSON's names of the values JSON cannot write. */
const double = z.union([
  z.number(),
  z.enum(['NaN', 'Infinity', '-Infinity']).transform((v) => (v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : -Infinity)),
]);
const key = z.string().min(1, 'must not be empty').max(250);
const text = z.string().max(8000);
const id = z.string().min(1, 'must not be empty').max(500);

export const keyValueSchema = z.object({ key, value: text });
export const metricInputSchema = z.object({ key, value: double, timestamp: int64.optional(), step: int64.optional() });

/** Requests carry the run as `run_id` (newer clients) and/or `run_uuid` (older ones). */
const runRef = { run_id: id.optional(), run_uuid: id.optional() };

export const mlflowRequests = {
  createExperiment: z.object({ name: z.string().min(1, 'must not be empty').max(500), artifact_location: z.string().optional(), tags: z.array(keyValueSchema).optional() }),
  getExperiment: z.object({ experiment_id: id }),
  getExperimentByName: z.object({ experiment_name: z.string().min(1, 'must not be empty') }),
  searchExperiments: z.object({
    max_results: int64.optional(),
    page_token: z.string().optional(),
    filter: z.string().optional(),
    order_by: z.union([z.array(z.string()), z.string().transform((s) => [s])]).optional(),
    view_type: z.string().optional(),
  }),
  createRun: z.object({
    experiment_id: id,
    user_id: z.string().optional(),
    run_name: z.string().max(500).optional(),
    start_time: int64.optional(),
    tags: z.array(keyValueSchema).optional(),
  }),
  updateRun: z.object({ ...runRef, status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']).optional(), end_time: int64.optional(), run_name: z.string().max(500).optional() }),
  getRun: z.object(runRef),
  deleteRun: z.object({ run_id: id }),
  logMetric: z.object({ ...runRef, key, value: double, timestamp: int64.optional(), step: int64.optional() }),
  logParam: z.object({ ...runRef, key, value: text }),
  setTag: z.object({ ...runRef, key, value: text }),
  deleteTag: z.object({ run_id: id, key }),
  logBatch: z.object({
    run_id: id,
    metrics: z.array(metricInputSchema).max(1000).optional(),
    params: z.array(keyValueSchema).max(100).optional(),
    tags: z.array(keyValueSchema).max(100).optional(),
  }),
  searchRuns: z.object({
    experiment_ids: z.union([z.array(id), id.transform((s) => [s])]).optional(),
    filter: z.string().max(10_000).optional(),
    run_view_type: z.string().optional(),
    max_results: int64.optional(),
    order_by: z.union([z.array(z.string()), z.string().transform((s) => [s])]).optional(),
    page_token: z.string().optional(),
  }),
  getMetricHistory: z.object({ ...runRef, metric_key: key, max_results: int64.optional(), page_token: z.string().optional() }),
  listArtifacts: z.object({ path: z.string().optional() }),
} as const;

export type MlflowRequest<K extends keyof typeof mlflowRequests> = z.output<(typeof mlflowRequests)[K]>;

/** MLflow's run statuses. */
export type MlflowRunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  /** An archived Sluice experiment is MLflow's deleted one. */
  lifecycle_stage: 'active' | 'deleted';
  creation_time: number;
  last_update_time: number;
  tags: { key: string; value: string }[];
}

export interface MlflowRunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: MlflowRunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: 'active';
}

export interface MlflowRun {
  info: MlflowRunInfo;
  data: {
    metrics: { key: string; value: number; timestamp: number; step: number }[];
    params: { key: string; value: string }[];
    tags: { key: string; value: string }[];
  };
  inputs: Record<string, never>;
}

export interface MlflowFileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** MLflow's error codes this server answers with, and their HTTP statuses (as MLflow maps them). */
export const MLFLOW_ERROR_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  INTERNAL_ERROR: 500,
} as const;
export type MlflowErrorCode = keyof typeof MLFLOW_ERROR_STATUS;
