/**
 * MLflow's tracking REST API (2.0) and its artifact proxy, under `/mlflow`, so the `mlflow` Python
 * client with `MLFLOW_TRACKING_URI=<server>/mlflow` (and `MLFLOW_TRACKING_TOKEN=<Sluice token>`)
 * tracks into Sluice:
 *
 * - an MLflow experiment is a Sluice experiment (its id; "0", MLflow's default, is created on demand);
 * - `runs/create` makes a Sluice run of the pipeline `mlflow` (trigger `{ kind: 'mlflow' }`, no
 *   workflow) with one execution, task `mlflow`, that holds its params, metrics and artifacts; its
 *   status is what `runs/update` says;
 * - an MLflow run id may also name a task execution of a pipeline run (`<runId>-<task>`, see
 *   mlflowRunIdOf; what a command component gets as MLFLOW_RUN_ID): logged values land on that
 *   execution, and the workflow keeps owning the status;
 * - a pipeline run's own id reads as an MLflow run (its params and metrics), read-only.
 *
 * Errors are MLflow's JSON `{ error_code, message }` with its HTTP statuses; nothing is written
 * before a request has been checked whole.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { findUnstorableText, parseJsonText, pipelineDigest, sha256Hex, type PipelineSpec } from '../../../dsl/ir/index';
import {
  MetadataStoreError,
  MLFLOW_TRIGGER_KIND,
  NOTE_TAG,
  parseRunFilter,
  parseRunOrder,
  RUN_NAME_TAG,
  RunFilterError,
  trackedExecutionId,
  executionIdOfMlflowRun,
  mlflowRunIdOf,
  type ApiRole,
  type ExecutionRecord,
  type ExperimentRecord,
  type RunRecord,
  type RunStatus,
  type TrackingStore,
  type TrackingTarget,
} from '../../stores/metadata/index';
import type { ApiContext } from '../context';
import { ApiProblem } from '../problem';
import { roleAllows, type Authenticate, type Principal } from '../routing';
import {
  MLFLOW_ERROR_STATUS,
  mlflowRequests,
  type MlflowErrorCode,
  type MlflowExperiment,
  type MlflowFileInfo,
  type MlflowRun,
  type MlflowRunStatus,
} from './wire';

/** Where the MLflow API is mounted: MLFLOW_TRACKING_URI is `<server URL>/mlflow`. */
export const MLFLOW_PREFIX = '/mlflow';
/** MLflow's default experiment id, which clients use when none is set. */
const DEFAULT_EXPERIMENT_ID = '0';
const DEFAULT_EXPERIMENT_NAME = 'Default';
/** Artifact URIs of runs: `mlflow-artifacts:/sluice/<execution id, base64url>`. */
const ARTIFACT_ROOT = 'sluice';
/** MLflow's own bound (the fluent client asks for 10,000 a page); the default is 1,000. */
const MAX_SEARCH_RESULTS = 50_000;
/** The metrics table's step is a 32-bit integer. */
const MAX_STEP = 2 ** 31 - 1;

/** An MLflow API error: answered as `{ error_code, message }` with MLflow's status for the code. */
export class MlflowError extends Error {
  override readonly name = 'MlflowError';
  constructor(
    readonly code: MlflowErrorCode,
    message: string,
  ) {
    super(message);
  }
}
const invalid = (message: string): MlflowError => new MlflowError('INVALID_PARAMETER_VALUE', message);
const missing = (message: string): MlflowError => new MlflowError('RESOURCE_DOES_NOT_EXIST', message);

/** The pipeline every MLflow-created run belongs to: one task, `mlflow`, that runs nothing. */
export const MLFLOW_RUN_PIPELINE: PipelineSpec = {
  apiVersion: 'sluice/v1',
  name: 'mlflow',
  description: 'Runs created through the MLflow tracking API (/mlflow): one execution holds the params, metrics and artifacts an MLflow client logged.',
  inputs: {},
  outputs: {},
  components: {
    'mlflow-run': {
      name: 'mlflow-run',
      version: '1',
      description: 'What an MLflow client logged; it runs nothing itself.',
      inputs: {},
      outputs: {},
      impl: { kind: 'function', digest: sha256Hex('sluice:mlflow-run:1') },
    },
  },
  dag: { tasks: { mlflow: { component: 'mlflow-run', inputs: {} } } },
};
const MLFLOW_RUN_PIPELINE_DIGEST = pipelineDigest(MLFLOW_RUN_PIPELINE);

const MLFLOW_STATUS: Record<RunStatus, MlflowRunStatus> = { pending: 'SCHEDULED', running: 'RUNNING', succeeded: 'FINISHED', failed: 'FAILED', cancelled: 'KILLED' };
const SLUICE_STATUS: Record<MlflowRunStatus, RunStatus> = { SCHEDULED: 'pending', RUNNING: 'running', FINISHED: 'succeeded', FAILED: 'failed', KILLED: 'cancelled' };
const EXECUTION_STATUS: Record<ExecutionRecord['status'], MlflowRunStatus> = {
  running: 'RUNNING',
  waiting: 'RUNNING',
  succeeded: 'FINISHED',
  cached: 'FINISHED',
  skipped: 'FINISHED',
  failed: 'FAILED',
  cancelled: 'KILLED',
};

const encodeId = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');
function decodeId(text: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw missing(`"${text}" is not an artifact root of this server (artifact URIs read mlflow-artifacts:/${ARTIFACT_ROOT}/<id>)`);
  return Buffer.from(text, 'base64url').toString('utf8');
}
const artifactUri = (executionOrRunId: string): string => `mlflow-artifacts:/${ARTIFACT_ROOT}/${encodeId(executionOrRunId)}`;

/** A relative artifact path: no empty, `.` or `..` segments, no backslashes, no NUL. */
function artifactPath(raw: string, where: string): string {
  const segments = raw.split('/');
  if (raw.length > 1000 || segments.some((s) => s === '' || s === '.' || s === '..' || /[\\\0]/.test(s))) {
    throw invalid(`${where} "${raw}" is not a relative artifact path (no empty, "." or ".." parts, no backslashes)`);
  }
  return raw;
}

/** The run an MLflow run id names, with the execution values land on (absent: a pipeline run, read-only). */
interface Resolved {
  run: RunRecord;
  /** The MLflow-facing id. */
  mlflowId: string;
  execution?: ExecutionRecord;
  tracked: boolean;
}

export function mlflowRouter(ctx: ApiContext, authenticate: Authenticate): Router {
  const { metadata } = ctx;
  const tracking: TrackingStore = metadata;
  const router = express.Router();

  const resolveRun = async (id: string, field = 'run_id'): Promise<Resolved> => {
    // A task execution, by its MLflow id (`<run>-<task>`) or its own (`<run>.<task>`).
    const asExecution = executionIdOfMlflowRun(id);
    const execution = (asExecution !== undefined ? await metadata.getExecution(asExecution) : undefined) ?? (await metadata.getExecution(id));
    if (execution) {
      const run = await metadata.getRun(execution.runId);
      if (run) {
        const tracked = run.trigger.kind === MLFLOW_TRIGGER_KIND;
        return { run, execution, tracked, mlflowId: tracked ? run.id : mlflowRunIdOf(execution.id) };
      }
    }
    const run = await metadata.getRun(id);
    if (!run) throw missing(`no run with ${field} "${id}"`);
    if (run.trigger.kind === MLFLOW_TRIGGER_KIND) {
      const own = await metadata.getExecution(trackedExecutionId(run.id));
      return { run, tracked: true, mlflowId: run.id, ...(own ? { execution: own } : {}) };
    }
    return { run, tracked: false, mlflowId: run.id };
  };

  const writableTarget = async (id: string | undefined): Promise<Resolved & { target: TrackingTarget }> => {
    if (!id) throw invalid('missing value for required parameter "run_id"');
    const r = await resolveRun(id);
    if (!r.execution) {
      throw invalid(
        `run "${id}" is a pipeline run: its tasks own its values. Log to one of its task executions instead (run_id "${id}-<task>", what a command component gets as MLFLOW_RUN_ID)`,
      );
    }
    return { ...r, target: { runId: r.run.id, executionId: r.execution.id, tracked: r.tracked } };
  };

  const experimentView = (e: ExperimentRecord): MlflowExperiment => ({
    experiment_id: e.id,
    name: e.name,
    artifact_location: `mlflow-artifacts:/${ARTIFACT_ROOT}`,
    lifecycle_stage: e.archivedAt ? 'deleted' : 'active',
    creation_time: e.createdAt.getTime(),
    last_update_time: (e.archivedAt ?? e.createdAt).getTime(),
    tags: e.description ? [{ key: NOTE_TAG, value: e.description }] : [],
  });

  /** The experiment with exactly this id ("0" is created on first use, as MLflow's default). */
  const experimentById = async (id: string, field = 'experiment_id'): Promise<ExperimentRecord> => {
    const found = await metadata.getExperiment(id);
    if (found?.id === id) return found;
    if (id === DEFAULT_EXPERIMENT_ID) {
      try {
        return await metadata.createExperiment({ id, name: DEFAULT_EXPERIMENT_NAME, description: 'MLflow’s default experiment' });
      } catch (e) {
        const again = await metadata.getExperiment(id);
        if (again?.id === id) return again;
        throw e;
      }
    }
    throw missing(`no experiment with ${field} "${id}" (experiments/search lists them)`);
  };

  const runViews = async (resolved: Resolved[]): Promise<MlflowRun[]> => {
    const runIds = [...new Set(resolved.map((r) => r.run.id))];
    const [tags, memberships] = await Promise.all([tracking.listTags(runIds), tracking.experimentsOf(runIds)]);
    return Promise.all(
      resolved.map(async (r): Promise<MlflowRun> => {
        const runTags = tags.get(r.run.id) ?? [];
        const name = runTags.find((t) => t.key === RUN_NAME_TAG)?.value ?? (r.execution && !r.tracked ? `${r.run.id}/${r.execution.taskId}` : r.run.id);
        const metrics = await metadata.listMetrics(r.execution ? { executionId: r.execution.id } : { runId: r.run.id });
        // The latest value of each key (highest step), as MLflow's run data shows it.
        const latest = new Map<string, (typeof metrics)[number]>();
        for (const m of metrics) {
          const had = latest.get(m.key);
          if (!had || m.step >= had.step) latest.set(m.key, m);
        }
        const params = r.execution ? r.execution.params : r.run.params;
        const status = r.execution && !r.tracked ? EXECUTION_STATUS[r.execution.status] : MLFLOW_STATUS[r.run.status];
        const started = r.execution && !r.tracked ? r.execution.startedAt : (r.run.startedAt ?? r.run.createdAt);
        const finished = r.execution && !r.tracked ? r.execution.finishedAt : r.run.finishedAt;
        const user = r.run.trigger.user;
        return {
          info: {
            run_id: r.mlflowId,
            run_uuid: r.mlflowId,
            run_name: name,
            experiment_id: memberships.get(r.run.id)?.[0] ?? '',
            user_id: typeof user === 'string' ? user : '',
            status,
            start_time: started.getTime(),
            ...(finished ? { end_time: finished.getTime() } : {}),
            artifact_uri: artifactUri(r.execution?.id ?? r.run.id),
            lifecycle_stage: 'active',
          },
          data: {
            metrics: [...latest.values()].map((m) => ({ key: m.key, value: m.value, timestamp: started.getTime(), step: m.step })),
            params: Object.entries(params).map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) })),
            tags: [...runTags, ...(runTags.some((t) => t.key === RUN_NAME_TAG) ? [] : [{ key: RUN_NAME_TAG, value: name }])],
          },
          inputs: {},
        };
      }),
    );
  };
  const runView = async (r: Resolved): Promise<MlflowRun> => (await runViews([r]))[0] as MlflowRun;

  const checkStep = (step: number | undefined, where: string): number => {
    const s = step ?? 0;
    if (s < 0 || s > MAX_STEP) throw invalid(`${where} step ${s} is out of range: steps are integers from 0 to ${MAX_STEP}`);
    return s;
  };

  // ---- plumbing: authentication, parsing, errors ------------------------------------------------

  const authorize = async (req: Request, role: ApiRole): Promise<Principal> => {
    let principal: Principal;
    try {
      principal = await authenticate(req, { tokenInQuery: false });
    } catch (e) {
      if (e instanceof ApiProblem) throw new MlflowError('UNAUTHENTICATED', `${e.detail} (MLflow clients send it from MLFLOW_TRACKING_TOKEN)`);
      throw e;
    }
    if (!roleAllows(principal.role, role)) {
      throw new MlflowError('PERMISSION_DENIED', `${req.method} ${req.path} needs the ${role} role; the token "${principal.name}" has the ${principal.role} role`);
    }
    return principal;
  };

  const parseInput = <S extends z.ZodType>(req: Request, schema: S): z.output<S> => {
    let raw: unknown;
    if (req.method === 'GET') raw = { ...(req.query as Record<string, unknown>) };
    else {
      const body: unknown = req.body;
      if (typeof body !== 'string' || body.trim() === '') raw = {};
      else {
        const parsed = parseJsonText(body);
        if (!parsed.ok) throw new MlflowError('BAD_REQUEST', `the body is not valid JSON: ${parsed.problems.map((p) => p.message).join('; ')}`);
        raw = parsed.value;
      }
    }
    const unstorable = findUnstorableText(raw);
    if (unstorable.length) throw invalid(`the request holds text that cannot be stored: ${unstorable.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`);
    const result = schema.safeParse(raw);
    if (!result.success) {
      const issues = result.error.issues.map((i) => {
        const field = i.path.join('.') || '(body)';
        return i.code === 'invalid_type' && i.input === undefined ? `missing value for required parameter "${field}"` : `invalid value for parameter "${field}": ${i.message}`;
      });
      throw invalid(issues.join('; '));
    }
    return result.data;
  };

  const send = (res: Response, code: MlflowErrorCode, message: string): void => {
    res.status(MLFLOW_ERROR_STATUS[code]).json({ error_code: code, message });
  };

  const fail = (res: Response, error: unknown): void => {
    if (error instanceof MlflowError) return send(res, error.code, error.message);
    if (error instanceof RunFilterError) return send(res, 'INVALID_PARAMETER_VALUE', `bad filter: ${error.message}`);
    if (error instanceof MetadataStoreError && error.code === 'not_found') return send(res, 'RESOURCE_DOES_NOT_EXIST', error.message);
    if (error instanceof MetadataStoreError && error.code === 'conflict') return send(res, 'INVALID_PARAMETER_VALUE', error.message);
    const errorId = crypto.randomUUID();
    ctx.logger.error({ err: error, errorId }, 'an MLflow API request failed');
    send(res, 'INTERNAL_ERROR', `the server failed (error id ${errorId}; its log has the details)`);
  };

  type Handler = (req: Request, res: Response, principal: Principal) => Promise<unknown>;
  const json = express.text({ type: () => true, defaultCharset: 'utf-8', limit: '5mb' });
  const endpoint = (method: 'get' | 'post', route: string, role: ApiRole, handler: Handler): void => {
    const wrapped = async (req: Request, res: Response): Promise<void> => {
      try {
        const principal = await authorize(req, role);
        const body = await handler(req, res, principal);
        if (!res.headersSent) res.status(200).json(body ?? {});
      } catch (e) {
        if (!res.headersSent) fail(res, e);
        else res.destroy();
      }
    };
    if (method === 'get') router.get(route, wrapped);
    else router.post(route, json, wrapped);
  };

  const API = '/api/2.0/mlflow';

  // ---- experiments --------------------------------------------------------------------------

  endpoint('post', `${API}/experiments/create`, 'editor', async (req) => {
    const body = parseInput(req, mlflowRequests.createExperiment);
    const note = body.tags?.find((t) => t.key === NOTE_TAG)?.value ?? null;
    try {
      const experiment = await metadata.createExperiment({ id: crypto.randomUUID(), name: body.name, description: note });
      return { experiment_id: experiment.id };
    } catch (e) {
      if (e instanceof MetadataStoreError && e.code === 'conflict') throw new MlflowError('RESOURCE_ALREADY_EXISTS', e.message);
      throw e;
    }
  });
  endpoint('get', `${API}/experiments/get`, 'viewer', async (req) => {
    const q = parseInput(req, mlflowRequests.getExperiment);
    return { experiment: experimentView(await experimentById(q.experiment_id)) };
  });
  endpoint('get', `${API}/experiments/get-by-name`, 'viewer', async (req) => {
    const q = parseInput(req, mlflowRequests.getExperimentByName);
    const found = await metadata.getExperiment(q.experiment_name);
    if (found?.name !== q.experiment_name) throw missing(`no experiment named "${q.experiment_name}"`);
    return { experiment: experimentView(found) };
  });
  const searchExperiments: Handler = async (req) => {
    const q = parseInput(req, mlflowRequests.searchExperiments);
    if (q.filter?.trim()) throw invalid('experiments/search supports no filter on this server: leave "filter" empty (experiments are listed by name)');
    const limit = q.max_results ?? 1000;
    if (limit < 1 || limit > 50_000) throw invalid(`max_results ${limit} is out of range (1 to 50000)`);
    const offset = pageOffset(q.page_token);
    // MLflow's view types; archived experiments are its deleted ones.
    const view = (q.view_type ?? 'ACTIVE_ONLY').toUpperCase();
    if (view !== 'ACTIVE_ONLY' && view !== 'DELETED_ONLY' && view !== 'ALL') throw invalid(`view_type "${q.view_type ?? ''}" is not one of ACTIVE_ONLY, DELETED_ONLY, ALL`);
    const listed = await metadata.listExperiments({ includeArchived: view !== 'ACTIVE_ONLY' });
    const all = view === 'DELETED_ONLY' ? listed.filter((e) => e.archivedAt) : listed;
    const page = all.slice(offset, offset + limit);
    return { experiments: page.map(experimentView), ...(offset + limit < all.length ? { next_page_token: pageToken(offset + limit) } : {}) };
  };
  endpoint('post', `${API}/experiments/search`, 'viewer', searchExperiments);
  endpoint('get', `${API}/experiments/search`, 'viewer', searchExperiments);

  // ---- runs -----------------------------------------------------------------------------------

  endpoint('post', `${API}/runs/create`, 'editor', async (req, _res, principal) => {
    const body = parseInput(req, mlflowRequests.createRun);
    const experiment = await experimentById(body.experiment_id);
    const runId = crypto.randomUUID().replace(/-/g, '');
    const tags = [...(body.tags ?? [])];
    const name = body.run_name ?? tags.find((t) => t.key === RUN_NAME_TAG)?.value ?? `mlflow-${runId.slice(0, 8)}`;
    const user = body.user_id ?? tags.find((t) => t.key === 'mlflow.user')?.value ?? principal.name;
    await tracking.createTrackedRun({
      runId,
      experimentId: experiment.id,
      spec: MLFLOW_RUN_PIPELINE,
      digest: MLFLOW_RUN_PIPELINE_DIGEST,
      trigger: { kind: MLFLOW_TRIGGER_KIND, user, by: principal.name },
      startedAt: body.start_time !== undefined ? new Date(body.start_time) : new Date(),
      tags: [...tags.filter((t) => t.key !== RUN_NAME_TAG), { key: RUN_NAME_TAG, value: name }],
    });
    return { run: await runView(await resolveRun(runId)) };
  });
  endpoint('post', `${API}/runs/update`, 'editor', async (req) => {
    const body = parseInput(req, mlflowRequests.updateRun);
    const r = await writableTarget(body.run_id ?? body.run_uuid);
    // A pipeline task's status is its workflow's: only a tracked run's status follows the client.
    if (body.status !== undefined && r.tracked) {
      await tracking.setTrackedRunStatus(r.run.id, SLUICE_STATUS[body.status], body.end_time !== undefined ? new Date(body.end_time) : undefined);
    }
    if (body.run_name !== undefined && r.tracked) await tracking.setTags(r.run.id, [{ key: RUN_NAME_TAG, value: body.run_name }]);
    return { run_info: (await runView(await resolveRun(r.mlflowId))).info };
  });
  endpoint('get', `${API}/runs/get`, 'viewer', async (req) => {
    const q = parseInput(req, mlflowRequests.getRun);
    const id = q.run_id ?? q.run_uuid;
    if (!id) throw invalid('missing value for required parameter "run_id"');
    return { run: await runView(await resolveRun(id)) };
  });
  endpoint('post', `${API}/runs/delete`, 'editor', async (req) => {
    const body = parseInput(req, mlflowRequests.deleteRun);
    const r = await resolveRun(body.run_id);
    if (!r.tracked) throw invalid(`run "${body.run_id}" was not created through the MLflow API: only those can be deleted here`);
    await tracking.deleteTrackedRun(r.run.id);
    return {};
  });
  endpoint('post', `${API}/runs/log-metric`, 'editor', async (req) => {
    const body = parseInput(req, mlflowRequests.logMetric);
    const { target } = await writableTarget(body.run_id ?? body.run_uuid);
    await tracking.logToExecution(target, { metrics: [{ key: body.key, value: body.value, step: checkStep(body.step, `metric "${body.key}"`) }] });
    return {};
  });
  endpoint('post', `${API}/runs/log-parameter`, 'editor', async (req) => {
    const body = parseInput(req, mlflowRequests.logParam);
    const { target } = await writableTarget(body.run_id ?? body.run_uuid);
    await tracking.logToExecution(target, { params: [{ key: body.key, value: body.value }] });
    return {};
  });
  endpoint('post', `${API}/runs/set-tag`, 'editor', async (req) => {
    const body = parseInput(req, mlflowRequests.setTag);
    const { target } = await writableTarget(body.run_id ?? body.run_uuid);
    await tracking.logToExecution(target, { tags: [{ key: body.key, value: body.value }] });
    return {};
  });
  endpoint('post', `${API}/runs/delete-tag`, 'editor', async (req) => {
    const body = parseInput(req, mlflowRequests.deleteTag);
    const { target } = await writableTarget(body.run_id);
    await tracking.setTags(target.runId, [{ key: body.key, value: null }]);
    return {};
  });
  endpoint('post', `${API}/runs/log-batch`, 'editor', async (req) => {
    const body = parseInput(req, mlflowRequests.logBatch);
    const metrics = (body.metrics ?? []).map((m, i) => ({ key: m.key, value: m.value, step: checkStep(m.step, `metrics[${i}]`) }));
    const { target } = await writableTarget(body.run_id);
    await tracking.logToExecution(target, { metrics, params: body.params ?? [], tags: body.tags ?? [] });
    return {};
  });
  const searchRuns: Handler = async (req) => {
    const q = parseInput(req, mlflowRequests.searchRuns);
    const experimentIds = q.experiment_ids ?? [];
    if (!experimentIds.length) throw invalid('missing value for required parameter "experiment_ids" (at least one experiment id)');
    for (const id of experimentIds) await experimentById(id, 'experiment_ids entry');
    const filter = parseRunFilter(q.filter ?? '');
    const order = parseRunOrder(q.order_by ?? []);
    const limit = q.max_results ?? 1000;
    if (limit < 1 || limit > MAX_SEARCH_RESULTS) throw invalid(`max_results ${limit} is out of range (1 to ${MAX_SEARCH_RESULTS})`);
    const offset = pageOffset(q.page_token);
    // One more than asked: whether another page exists.
    const ids = await tracking.searchRunIds({ experimentIds, filter, order, offset, limit: limit + 1 });
    const page = ids.slice(0, limit);
    const resolved = await Promise.all(page.map((id) => resolveRun(id)));
    return { runs: await runViews(resolved), ...(ids.length > limit ? { next_page_token: pageToken(offset + limit) } : {}) };
  };
  endpoint('post', `${API}/runs/search`, 'viewer', searchRuns);
  endpoint('get', `${API}/runs/search`, 'viewer', searchRuns);
  endpoint('get', `${API}/metrics/get-history`, 'viewer', async (req) => {
    const q = parseInput(req, mlflowRequests.getMetricHistory);
    const id = q.run_id ?? q.run_uuid;
    if (!id) throw invalid('missing value for required parameter "run_id"');
    const r = await resolveRun(id);
    const all = await metadata.listMetrics(r.execution ? { executionId: r.execution.id } : { runId: r.run.id });
    const started = (r.run.startedAt ?? r.run.createdAt).getTime();
    return {
      metrics: all
        .filter((m) => m.key === q.metric_key)
        .sort((a, b) => a.step - b.step)
        .map((m) => ({ key: m.key, value: m.value, step: m.step, timestamp: started })),
    };
  });

  // MLflow 3's logged models are not kept here: none exist, and clients that look (artifact listings
  // under a path do) find none.
  endpoint('post', `${API}/logged-models/search`, 'viewer', async () => ({ models: [] }));

  // ---- artifacts (the mlflow-artifacts proxy) ---------------------------------------------------

  const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
  /** `sluice/<encoded id>[/<path>]` → the execution and the relative path. */
  const locate = async (raw: string, forWrite: boolean): Promise<{ execution?: ExecutionRecord; rel: string }> => {
    const parts = raw.replace(/^\/+/, '').split('/');
    if (parts[0] !== ARTIFACT_ROOT || !parts[1]) throw missing(`no artifact location "${raw}" (run artifact URIs read mlflow-artifacts:/${ARTIFACT_ROOT}/<id>/…)`);
    const id = decodeId(parts[1]);
    const rel = parts.slice(2).join('/');
    const r = await resolveRun(id, 'artifact location');
    if (forWrite && !r.execution) throw invalid(`"${id}" is a pipeline run: upload artifacts to one of its task executions`);
    return { ...(r.execution ? { execution: r.execution } : {}), rel: rel === '' ? '' : artifactPath(rel, 'artifact path') };
  };

  router.put(`${ARTIFACTS}/*path`, async (req, res) => {
    let dir: string | undefined;
    try {
      await authorize(req, 'editor');
      const { execution, rel } = await locate(wildcard(req), true);
      if (!execution) throw invalid('no execution to upload to');
      if (rel === '') throw invalid('give the file a path below the run’s artifact root');
      dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-mlflow-upload-'));
      const file = path.join(dir, path.posix.basename(rel));
      await pipeline(req, createWriteStream(file));
      const stored = await ctx.artifacts.put(file);
      await tracking.recordLoggedArtifact(execution.id, rel, {
        type: 'File',
        uri: stored.uri,
        sha256: stored.sha256,
        size: stored.size,
        properties: { source: 'mlflow', path: rel },
      });
      res.status(200).json({});
    } catch (e) {
      if (!res.headersSent) fail(res, e);
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  });

  router.get(`${ARTIFACTS}/*path`, async (req, res) => {
    try {
      await authorize(req, 'viewer');
      const { execution, rel } = await locate(wildcard(req), false);
      const found = execution ? (await tracking.listLoggedArtifacts(execution.id)).find((a) => a.path === rel) : undefined;
      if (!found) throw missing(`no artifact "${rel}" in this run (list them with GET ${MLFLOW_PREFIX}${ARTIFACTS}?path=…)`);
      const file = await ctx.artifacts.materialize(found.artifact.uri);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
      await new Promise<void>((resolve, reject) => {
        res.sendFile(file, { headers: { 'Content-Type': 'application/octet-stream' }, dotfiles: 'allow' }, (err) => (err && !res.headersSent ? reject(err) : resolve()));
      });
    } catch (e) {
      if (!res.headersSent) fail(res, e);
    }
  });

  endpoint('get', ARTIFACTS, 'viewer', async (req) => {
    const q = parseInput(req, mlflowRequests.listArtifacts);
    const { execution, rel } = await locate(q.path ?? '', false);
    if (!execution) return { files: [] };
    const prefix = rel === '' ? '' : `${rel}/`;
    const files = new Map<string, MlflowFileInfo>();
    for (const a of await tracking.listLoggedArtifacts(execution.id)) {
      // The requested path is a file: MLflow answers with that one file.
      if (a.path === rel) return { files: [{ path: path.posix.basename(rel), is_dir: false, file_size: a.artifact.size }] };
      if (!a.path.startsWith(prefix)) continue;
      const rest = a.path.slice(prefix.length);
      const [head, ...tail] = rest.split('/');
      if (!head) continue;
      files.set(head, tail.length ? { path: head, is_dir: true } : { path: head, is_dir: false, file_size: a.artifact.size });
    }
    return { files: [...files.values()] };
  });

  // Anything else under the prefix: MLflow's "no such endpoint".
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next();
    send(res, 'ENDPOINT_NOT_FOUND', `no MLflow endpoint ${req.method} ${MLFLOW_PREFIX}${req.path} on this server (it serves the tracking API 2.0 and the artifact proxy)`);
  });
  return router;
}

/** The path matched by `*path` (express 5 gives its segments). */
function wildcard(req: Request): string {
  const value: unknown = (req.params as Record<string, unknown>).path;
  return Array.isArray(value) ? value.join('/') : typeof value === 'string' ? value : '';
}

const pageToken = (offset: number): string => Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
function pageOffset(token: string | undefined): number {
  if (!token) return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = (parsed as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // answered below
  }
  throw invalid(`page_token "${token}" is not one this server gave out`);
}
