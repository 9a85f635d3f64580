/**
 * The route table of the HTTP API: every endpoint the server at engine/server/ answers, keyed by its
 * OpenAPI operation id. Request schemas are strict (unknown fields are refused); the server mounts
 * and validates with exactly these, and generates /api/openapi.json from them.
 */
import { z } from 'zod';
import { MAX_TUNE_TRIALS } from '../../dsl/ir/tuneSpec';
import { API_ROLES, idSchema, jsonValueSchema, queryFlag, queryInstant, queryInt } from './common';
import { runListStreamEvents, runStreamEvents } from './events';
import {
  apiTokenSchema,
  artifactDetailSchema,
  artifactSchema,
  artifactPreviewSchema,
  catalogComponentSchema,
  experimentSchema,
  lineageNeighbourhoodSchema,
  logLineSchema,
  metricSchema,
  metricSeriesSchema,
  studySchema,
  modelAliasEventSchema,
  modelRolloutSchema,
  rolloutDecisionSchema,
  modelVersionDetailSchema,
  modelVersionSchema,
  overlapPolicySchema,
  pipelineListItemSchema,
  pipelineSchema,
  pipelineSpecObjectSchema,
  pipelineVersionSchema,
  pipelineVersionSummarySchema,
  registeredModelSchema,
  runAnnotationsSchema,
  runComparisonSchema,
  runDetailSchema,
  runListItemSchema,
  runSchema,
  runStatusSchema,
  scheduleSchema,
  TRIGGER_KINDS,
  triggerSchema,
  workersSchema,
} from './records';
import type { RouteDef } from './route';
import { pipelineDiffSchema } from '../../dsl/ir/diff';

// ---- request pieces --------------------------------------------------------------------------

const runIdParams = z.strictObject({ runId: idSchema.meta({ description: 'Run id', example: '3f2a9c1d0b7e' }) });
const artifactIdParams = z.strictObject({
  artifactId: idSchema.meta({ description: 'Artifact id (percent-encode "/" as %2F)', example: '3f2a9c1d0b7e.train.model' }),
});
const pipelineParams = z.strictObject({ pipeline: idSchema.meta({ description: 'Pipeline id or name', example: 'iris' }) });
const experimentParams = z.strictObject({ experiment: idSchema.meta({ description: 'Experiment id or name' }) });
const scheduleParams = z.strictObject({ schedule: z.string().min(1).max(100) });
const triggerParams = z.strictObject({ trigger: z.string().min(1).max(100) });

const triggerKindQuery = z.string().regex(/^[A-Za-z][\w-]{0,62}$/, 'must be a trigger kind such as api, cli, retry, schedule');
const direction = z.enum(['upstream', 'downstream', 'both']).optional().meta({ description: 'Default both' });

const submitRunBody = z
  .strictObject({
    pipelineVersionId: idSchema.optional().meta({ description: 'A stored version (POST /api/pipelines makes one)' }),
    spec: pipelineSpecObjectSchema.optional(),
    params: z.record(z.string().max(200), jsonValueSchema).optional().meta({ description: "Values of the pipeline's inputs (JSON typed); defaults fill the rest" }),
    cache: z.boolean().optional().meta({ description: 'false: no task of this run reads or writes the cache' }),
    experiment: idSchema.optional().meta({ description: 'Add the run to this experiment (id or name)' }),
  })
  .superRefine((b, issue) => {
    if ((b.pipelineVersionId === undefined) === (b.spec === undefined)) {
      issue.addIssue({ code: 'custom', path: ['pipelineVersionId'], message: 'give exactly one of pipelineVersionId and spec' });
    }
  });

const decisionBody = z.strictObject({
  task: z.string().min(1).max(500).optional().meta({ description: 'The gate; may be left out when exactly one is waiting' }),
  comment: z.string().max(10_000).optional(),
});
const decisionResponses = {
  200: { description: 'Decided', schema: z.object({ runId: z.string(), task: z.string(), approved: z.boolean() }) },
  409: { description: 'The run is not running, or no such gate is waiting' },
  503: { description: 'No worker answered in time' },
} as const;

const logsQuery = z
  .strictObject({
    task: z.string().min(1).max(500).optional().meta({ description: 'Task path: train, sweep[2]/train, sub/write' }),
    attempt: queryInt(1, 1000).optional(),
    after: queryInt(0, 1_000_000_000).optional().meta({ description: "Only lines with a larger seq (the task's previous `next`); needs `task`" }),
    limit: queryInt(1, 10_000).optional().meta({ description: 'At most this many lines (default 1000)' }),
  })
  .superRefine((q, issue) => {
    if (q.after !== undefined && q.task === undefined) {
      issue.addIssue({ code: 'custom', path: ['after'], message: 'seqs count per task: give `task` with `after`' });
    }
  });

const createVersionAnswer = (created: boolean) =>
  z.object({ pipeline: pipelineSchema, version: pipelineVersionSummarySchema, created: z.literal(created) });

const lineageAnswer = (description: string) => ({ 200: { description, schema: lineageNeighbourhoodSchema } }) as const;

const scheduleAnswer = { 200: { description: 'The schedule', schema: z.object({ schedule: scheduleSchema }) } } as const;
/** Unknown schedule 404; input the schedule cannot take 422. */
const scheduleProblems = {
  404: { description: 'No such schedule' },
  422: { description: 'The schedule cannot do this (bad cron, interval or parameters; see the detail)' },
} as const;
const noteBody = z.strictObject({ note: z.string().max(500).optional() });

const binary = z.string().meta({ format: 'binary' });

/** A registered model's name, as a path segment. */
export const modelNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'must start with a letter or digit and hold letters, digits, ".", "-", "_" (max 100)')
  .meta({ description: 'Registered model name', example: 'iris' });
/** An alias name: champion, challenger, any name. */
export const modelAliasNameSchema = z
  .string()
  .regex(/^[A-Za-z][\w-]{0,62}$/, 'must start with a letter and hold letters, digits, "-", "_" (max 63)')
  .meta({ description: 'Alias, e.g. champion or challenger', example: 'champion' });
/** The request header whose value makes a rollout's split sticky when the rollout names none. */
export const DEFAULT_ROUTE_KEY_HEADER = 'x-sluice-route-key';
/** A request header name (an HTTP token), as a rollout's route key; lowercased, as Node presents headers. */
export const routeKeyHeaderSchema = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be an HTTP header name: letters, digits and !#$%&\'*+.^_`|~- (max 100)')
  .toLowerCase()
  .meta({ description: 'A request header name, e.g. x-user-id', example: 'x-user-id' });
const modelParams = z.strictObject({ model: modelNameSchema });
const modelVersionParams = modelParams.extend({ version: queryInt(1, 1_000_000_000).meta({ description: 'Version number' }) });
const registryTagKey = z.string().min(1).max(250);
const registryUpdateBody = z.strictObject({
  description: z.string().max(10_000).nullable().optional().meta({ description: 'null clears it' }),
  tags: z.record(registryTagKey, z.string().max(5000).nullable()).optional().meta({ description: 'Tags to set; a null value removes the tag' }),
});
const modelVersionNumber = z.number().int().min(1);
const experimentName = z.string().regex(/^[A-Za-z0-9][\w .-]{0,99}$/, 'must start with a letter or digit and hold letters, digits, " ", ".", "-", "_" (max 100)');
/** A comma-separated list in a query: `a,b,c`. */
const commaList = (what: string, max: number) =>
  z
    .string()
    .max(20_000)
    .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''))
    .pipe(z.array(z.string().min(1).max(500)).max(max, `at most ${max} ${what}`))
    .meta({ type: 'string', description: `Comma-separated ${what}` });
/** A tag key: what MLflow and people write (`team`, `mlflow.note.content`, `data/version`). */
const tagKey = z.string().regex(/^[\w .\-/:]{1,250}$/, 'letters, digits, " ", ".", "-", "_", "/", ":" (1 to 250)');

/** A name for an API token: letters, digits, " ", ".", "@", "-", "_". */
export const tokenNameSchema = z.string().regex(/^[\w .@-]{1,100}$/, 'letters, digits, " ", ".", "@", "-", "_" (1 to 100)');

// ---- the routes ------------------------------------------------------------------------------

export const apiRoutes = {
  // operations
  health: {
    method: 'get',
    path: '/healthz',
    access: 'public',
    summary: 'The process is up',
    tags: ['operations'],
    responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } },
  },
  ready: {
    method: 'get',
    path: '/readyz',
    access: 'public',
    summary: 'The metadata store and the Temporal server answer',
    tags: ['operations'],
    responses: {
      200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('ok')) }) },
      503: { description: 'Not ready: `checks` says which dependency failed and why' },
    },
  },
  prometheusMetrics: {
    method: 'get',
    path: '/metrics',
    access: 'public',
    summary: 'Prometheus metrics (default process metrics and sluice_* series)',
    tags: ['operations'],
    responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } } },
  },
  serverInfo: {
    method: 'get',
    path: '/api/info',
    access: 'viewer',
    summary: 'What this server offers beyond the API: where the Temporal Web UI is, if it is served',
    tags: ['operations'],
    responses: {
      200: {
        description: 'Server settings clients link to',
        schema: z.object({
          temporalUi: z
            .object({
              url: z.string().meta({ description: 'Base URL of the Temporal Web UI', example: 'http://127.0.0.1:8233' }),
              namespace: z.string().meta({ description: "The Temporal namespace of the runs' workflows", example: 'default' }),
            })
            .nullable()
            .meta({ description: 'Set when the Web UI is served (`sluice dev --temporal-ui`); a run links to <url>/namespaces/<namespace>/workflows/<workflowId>' }),
        }),
      },
    },
  },
  openApiDocument: {
    method: 'get',
    path: '/api/openapi.json',
    access: 'public',
    summary: 'This OpenAPI document (browsable at /api/docs)',
    tags: ['operations'],
    responses: { 200: { description: 'OpenAPI 3.0 document', schema: z.record(z.string(), z.unknown()) } },
  },
  listWorkers: {
    method: 'get',
    path: '/api/workers',
    access: 'viewer',
    summary: 'Workers polling the task queues (control, cpu, gpu), with their GPUs and ML runtimes',
    tags: ['operations'],
    responses: {
      200: { description: 'Queues and the worker processes polling them', schema: workersSchema },
      503: { description: 'The Temporal server did not answer' },
    },
  },

  // live: before /api/runs/:runId/…, and a path no run id can take (ids have no "/")
  streamRuns: {
    method: 'get',
    path: '/api/runs/events',
    access: 'viewer',
    tokenInQuery: true,
    summary: 'Server-sent events: changes of the runs list',
    description:
      'Events: `snapshot` {runs} (the newest 200 matching runs) first, then `run` {run} whenever a run is created or changes ' +
      '(with `status`, also once when a run leaves that status). With `taskCounts=true` every run carries `taskCounts` (its executions by status) ' +
      'and a change of those counts is sent as a `run` event. A `: heartbeat` comment every 15 s.',
    tags: ['live'],
    query: z.strictObject({
      pipeline: z.string().min(1).max(200).optional().meta({ description: 'Only runs of this pipeline (name)' }),
      status: runStatusSchema.optional(),
      trigger: triggerKindQuery.optional().meta({ description: 'Only runs started by this trigger kind' }),
      taskCounts: queryFlag.optional().meta({ description: 'true: runs carry `taskCounts` (executions by status), and a change of those counts is a change' }),
    }),
    responses: { 200: { description: 'An endless event stream', events: runListStreamEvents } },
  },
  streamRun: {
    method: 'get',
    path: '/api/runs/:runId/events',
    access: 'viewer',
    tokenInQuery: true,
    summary: "Server-sent events: a run's task state changes and log lines, to its end",
    description:
      'Events: `run` {run} at the start and on change; `task` {task, state, …} from the workflow status query; `execution` {execution} for every task path; ' +
      '`log` (a log line); `end` {run} with the final state, after which the server closes the stream (close the EventSource on `end`; ' +
      'a reconnection with Last-Event-ID after the end is answered 204, which stops it). A `: heartbeat` comment every 15 s.',
    tags: ['live'],
    params: runIdParams,
    query: z.strictObject({
      task: z.string().min(1).max(500).optional().meta({ description: 'Only log lines of this task path (task and execution events are always sent)' }),
    }),
    responses: {
      200: { description: 'An event stream that ends with the `end` event', events: runStreamEvents },
      204: { description: 'The run has ended and the client reconnected (Last-Event-ID): stop' },
    },
  },

  // pipelines
  createPipelineVersion: {
    method: 'post',
    path: '/api/pipelines',
    access: 'editor',
    summary: 'Create a pipeline (or a new version of one) from IR',
    description:
      'The pipeline is named by the IR. The same IR (same digest) gives the existing version back with 200; editor-only `ui` fields (positions) that differ replace the stored ones. ' +
      'With `draft: true` an IR that has the shape of a pipeline but fails validation is stored as a draft version (`draft: true` in the answer): kept, never run.',
    tags: ['pipelines'],
    body: z.strictObject({
      spec: pipelineSpecObjectSchema,
      draft: z.boolean().optional().meta({ description: 'true: store the IR even if it has validation problems, as a draft that cannot run' }),
    }),
    responses: {
      201: { description: 'A new version', schema: createVersionAnswer(true) },
      200: { description: 'This IR was already a version', schema: createVersionAnswer(false) },
      422: { description: 'The IR is invalid (without `draft: true`, or not even the shape of a pipeline): `errors` lists every issue with its JSON path' },
    },
  },
  listPipelines: {
    method: 'get',
    path: '/api/pipelines',
    access: 'viewer',
    summary: 'Pipelines, by name, with their latest version (archived ones with archived=true)',
    tags: ['pipelines'],
    query: z.strictObject({ archived: queryFlag.optional().meta({ description: 'true: archived pipelines too' }) }),
    responses: { 200: { description: 'Pipelines', schema: z.object({ pipelines: z.array(pipelineListItemSchema) }) } },
  },
  updatePipeline: {
    method: 'patch',
    path: '/api/pipelines/:pipeline',
    access: 'editor',
    summary: 'Archive a pipeline or restore it',
    description: 'An archived pipeline is left out of listings (unless archived=true); its versions and runs stay, and its versions can still run.',
    tags: ['pipelines'],
    params: pipelineParams,
    body: z.strictObject({ archived: z.boolean() }),
    responses: { 200: { description: 'The pipeline after the change', schema: z.object({ pipeline: pipelineSchema }) } },
  },
  getPipeline: {
    method: 'get',
    path: '/api/pipelines/:pipeline',
    access: 'viewer',
    summary: 'A pipeline and its versions, newest first',
    tags: ['pipelines'],
    params: pipelineParams,
    responses: { 200: { description: 'The pipeline', schema: z.object({ pipeline: pipelineSchema, versions: z.array(pipelineVersionSummarySchema) }) } },
  },
  diffPipelineVersions: {
    method: 'get',
    path: '/api/pipelines/:pipeline/diff',
    access: 'viewer',
    summary: 'What changed between two versions of a pipeline: tasks, wiring, component digests, inputs, options, pipeline inputs and outputs',
    tags: ['pipelines'],
    params: pipelineParams,
    query: z.strictObject({
      from: idSchema.meta({ description: 'The older version: its id, a digest prefix, or v<N> (N-th version, v1 the first)', example: 'v1' }),
      to: idSchema.meta({ description: 'The newer version (same forms)', example: 'v2' }),
    }),
    responses: {
      200: {
        description: 'The diff',
        schema: z.object({ pipeline: pipelineSchema, from: pipelineVersionSummarySchema, to: pipelineVersionSummarySchema, diff: pipelineDiffSchema }),
      },
      404: { description: 'No such pipeline, or no such version (`/query/from`, `/query/to`)' },
      409: { description: 'A digest prefix matches several versions' },
    },
  },
  getPipelineVersion: {
    method: 'get',
    path: '/api/pipelines/:pipeline/versions/:version',
    access: 'viewer',
    summary: 'One version of a pipeline, with its IR',
    tags: ['pipelines'],
    params: pipelineParams.extend({ version: idSchema.meta({ description: 'Version id' }) }),
    responses: { 200: { description: 'The version', schema: z.object({ version: pipelineVersionSchema }) } },
  },

  // runs
  submitRun: {
    method: 'post',
    path: '/api/runs',
    access: 'editor',
    summary: 'Submit a run of a stored pipeline version or of an IR',
    tags: ['runs'],
    body: submitRunBody,
    responses: {
      201: { description: 'The run was recorded and its workflow started', schema: z.object({ run: runSchema }) },
      404: { description: 'No such pipeline version (`/body/pipelineVersionId`) or experiment (`/body/experiment`); nothing was written' },
      409: { description: 'The experiment is archived (`/body/experiment`), or the pipeline version is a draft (`/body/pipelineVersionId`); nothing was written' },
      422: { description: 'The IR or the parameters are invalid, or an artifact input names no artifact (nothing was written)' },
      503: { description: 'The Temporal server did not accept the workflow (the run is recorded as failed)' },
    },
  },
  listRuns: {
    method: 'get',
    path: '/api/runs',
    access: 'viewer',
    summary: 'Runs, newest first, filtered and paged',
    tags: ['runs'],
    query: z.strictObject({
      pipeline: z.string().min(1).max(200).optional().meta({ description: 'Pipeline name' }),
      status: runStatusSchema.optional(),
      trigger: triggerKindQuery.optional().meta({ description: 'What started the run (trigger.kind)' }),
      createdFrom: queryInstant.optional().meta({ description: 'Created at or after (RFC 3339)' }),
      createdTo: queryInstant.optional().meta({ description: 'Created before (RFC 3339)' }),
      experiment: idSchema.optional().meta({ description: 'Only runs of this experiment (id or name)' }),
      limit: queryInt(1, 500).optional().meta({ description: 'Page size (default 50)' }),
      cursor: idSchema.optional().meta({ description: 'nextCursor of the previous page' }),
      taskCounts: queryFlag.optional().meta({ description: 'true: each run also carries `taskCounts` (its executions by status), for a status summary' }),
      filter: z
        .string()
        .max(4000)
        .optional()
        .meta({
          description:
            "MLflow-style filter, clauses joined by `and`: `metrics.accuracy > 0.9 and params.epochs = 40 and tags.team = 'vision' and status = 'succeeded'` " +
            '(metrics compare by their latest value; also LIKE/ILIKE, IN, run_id, run_name, pipeline, start_time, end_time)',
          example: 'metrics.accuracy > 0.9',
        }),
      orderBy: z
        .string()
        .max(2000)
        .optional()
        .meta({ description: 'Comma-separated orderings, each `metrics.<key>`, `params.<key>`, `start_time` or `end_time`, then ASC (default) or DESC; newest first after them', example: 'metrics.accuracy desc' }),
      columns: commaList('columns (params.<key>, metrics.<key>, tags.<key>)', 50)
        .optional()
        .meta({ description: 'Values to carry in each run\'s `columns`: `params.<key>`, `metrics.<key>` (latest value), `tags.<key>`', example: 'params.epochs,metrics.accuracy' }),
    }),
    responses: {
      200: { description: 'A page of runs', schema: z.object({ runs: z.array(runListItemSchema), nextCursor: z.string().nullable() }) },
      400: { description: 'A bad `filter`, `orderBy` or `columns` (the problem names the field and the offending token), or an unknown cursor' },
      404: { description: 'No experiment with that id or name (`/query/experiment`)' },
    },
  },
  compareRuns: {
    method: 'get',
    path: '/api/runs/compare',
    access: 'viewer',
    summary: 'Runs side by side: parameters (differences marked), final metrics (the best marked), metric series, pipeline versions',
    description:
      'A metric is better higher unless its key looks like a loss or an error (loss, error, err, mse, rmse, mae, mape, perplexity, latency, duration, time, wer, cer); ' +
      '`lowerIsBetter` and `higherIsBetter` override that per key.',
    tags: ['runs'],
    query: z.strictObject({
      ids: commaList('run ids', 50).pipe(z.array(idSchema).min(2, 'compare at least two runs')).meta({ type: 'string', description: 'Comma-separated run ids (2 to 50)' }),
      lowerIsBetter: commaList('metric keys', 200).optional().meta({ description: 'Metric keys where lower is better' }),
      higherIsBetter: commaList('metric keys', 200).optional().meta({ description: 'Metric keys where higher is better' }),
      points: queryFlag.optional().meta({ description: 'true: each run\'s metric series with their points too (`seriesPoints`), so a chart of N runs is one request' }),
    }),
    responses: {
      200: { description: 'The comparison', schema: runComparisonSchema },
      404: { description: 'A run id names no run (`/query/ids/<index>`)' },
    },
  },
  getRun: {
    method: 'get',
    path: '/api/runs/:runId',
    access: 'viewer',
    summary: 'A run with its executions, artifacts and (while it runs) the live status of its workflow',
    tags: ['runs'],
    params: runIdParams,
    responses: { 200: { description: 'The run', schema: runDetailSchema } },
  },
  updateRun: {
    method: 'patch',
    path: '/api/runs/:runId',
    access: 'editor',
    summary: "Set or remove a run's tags, and set or clear its note",
    description: 'Tags: key → text sets it, key → null removes it; other tags stay. Note: text sets it, null or "" clears it. One transaction.',
    tags: ['runs'],
    params: runIdParams,
    body: z.strictObject({
      tags: z.record(tagKey, z.string().max(5000).nullable()).optional(),
      note: z.string().max(50_000).nullable().optional(),
    }),
    responses: { 200: { description: "The run's tags and note after the change", schema: runAnnotationsSchema } },
  },
  cancelRun: {
    method: 'post',
    path: '/api/runs/:runId/cancel',
    access: 'editor',
    summary: 'Cancel a run: running tasks stop, the exit handler runs, the run ends cancelled',
    tags: ['runs'],
    params: runIdParams,
    body: z.strictObject({}),
    responses: {
      202: {
        description: 'Cancellation requested (watch GET /api/runs/{runId}/events for the end)',
        schema: z.object({ runId: z.string(), status: z.literal('cancelling') }),
      },
      409: { description: 'The run already ended' },
      503: { description: 'The Temporal server did not accept the cancellation' },
    },
  },
  retryRun: {
    method: 'post',
    path: '/api/runs/:runId/retry',
    access: 'editor',
    summary: "A new run that reuses the finished run's succeeded top-level steps and re-runs the rest",
    tags: ['runs'],
    params: runIdParams,
    body: z.strictObject({ cache: z.boolean().optional().meta({ description: 'false: re-run steps without using the cache' }) }),
    responses: {
      201: { description: 'The new run', schema: z.object({ run: runSchema, retryOf: z.string(), reused: z.array(z.string()) }) },
      409: { description: 'The run has not ended yet' },
      422: { description: 'The parameters of the old run no longer fit its pipeline' },
      503: { description: 'The Temporal server did not accept the workflow' },
    },
  },
  approveGate: {
    method: 'post',
    path: '/api/runs/:runId/approve',
    access: 'editor',
    summary: 'Approve a waiting approval gate; the run goes on',
    tags: ['runs'],
    params: runIdParams,
    body: decisionBody,
    responses: decisionResponses,
  },
  rejectGate: {
    method: 'post',
    path: '/api/runs/:runId/reject',
    access: 'editor',
    summary: 'Reject a waiting approval gate; the gate and the run fail',
    tags: ['runs'],
    params: runIdParams,
    body: decisionBody,
    responses: decisionResponses,
  },
  getRunLogs: {
    method: 'get',
    path: '/api/runs/:runId/logs',
    access: 'viewer',
    summary: "A run's task log lines (of one task with `task`), oldest first",
    description: 'Page through one task with `after=<next>`; GET /api/runs/{runId}/events streams new lines as they come.',
    tags: ['runs'],
    params: runIdParams,
    query: logsQuery,
    responses: {
      200: {
        description: 'Log lines; `next` is the `after` of the next page (null when the page was not full or no task was given)',
        schema: z.object({ lines: z.array(logLineSchema), next: z.number().int().nullable() }),
      },
    },
  },
  getRunMetrics: {
    method: 'get',
    path: '/api/runs/:runId/metrics',
    access: 'viewer',
    summary: 'Metrics recorded by the tasks of a run',
    tags: ['runs'],
    params: runIdParams,
    responses: { 200: { description: 'Metrics', schema: z.object({ metrics: z.array(metricSchema), series: z.array(metricSeriesSchema) }) } },
  },

  // tuning studies
  getRunStudies: {
    method: 'get',
    path: '/api/runs/:runId/studies',
    access: 'viewer',
    summary: 'The tuning studies (p.tune) of a run with their trials',
    tags: ['runs'],
    params: runIdParams,
    responses: { 200: { description: 'Studies', schema: z.object({ studies: z.array(studySchema) }) } },
  },
  controlStudy: {
    method: 'post',
    path: '/api/runs/:runId/studies/control',
    access: 'editor',
    summary: 'Change a running study: trials at once, trials in all, or stop it keeping the best so far',
    tags: ['runs'],
    params: runIdParams,
    body: z.strictObject({
      study: z.string().optional().meta({ description: 'Task path of the study; may be left out when the run has one' }),
      parallelTrials: z.number().int().min(1).max(1000).optional(),
      maxTrials: z.number().int().min(1).max(MAX_TUNE_TRIALS).optional(),
      stop: z.boolean().optional().meta({ description: 'Start no more trials, cancel the running ones, finish with the best so far' }),
    }),
    responses: {
      200: { description: 'The study as it is now', schema: studySchema },
      404: { description: 'No such run or study' },
      409: { description: 'The study has ended, or the change does not fit it (e.g. maxTrials below the trials started)' },
      503: { description: 'No worker answered' },
    },
  },

  // lineage
  getArtifactLineage: {
    method: 'get',
    path: '/api/artifacts/:artifactId/lineage',
    access: 'viewer',
    summary: 'Where an artifact came from and what used it',
    description: 'depth=1 with one direction is one hop: the executions next to the artifact and the artifacts on their far side.',
    tags: ['lineage'],
    params: artifactIdParams,
    query: z.strictObject({
      depth: queryInt(0, 100).optional().meta({ description: 'Execution hops each way (default 10)' }),
      direction,
    }),
    responses: lineageAnswer('The graph; `truncated` when the depth cut it short'),
  },
  getExecutionLineage: {
    method: 'get',
    path: '/api/executions/:executionId/lineage',
    access: 'viewer',
    summary: 'What an execution read and wrote, and (with depth) where those came from and what used them',
    description:
      'depth=0 (the default) is one hop: the execution and its input and/or output artifacts. Each further depth is one execution hop beyond them, as in artifact lineage.',
    tags: ['lineage'],
    params: z.strictObject({
      executionId: idSchema.meta({ description: 'Execution id, `<runId>.<taskPath>` (percent-encode "/" as %2F)', example: '3f2a9c1d0b7e.train' }),
    }),
    query: z.strictObject({
      depth: queryInt(0, 100).optional().meta({ description: 'Execution hops beyond its own artifacts (default 0)' }),
      direction,
    }),
    responses: lineageAnswer('The graph (root: the execution id)'),
  },
  getArtifactReuse: {
    method: 'get',
    path: '/api/artifacts/:artifactId/reuse',
    access: 'viewer',
    summary: 'The cached executions folded into an artifact: those that handed it out from the cache or were given it',
    description: "The artifact's `reusedBy` expanded, oldest first; `truncated` when there are more than `limit`.",
    tags: ['lineage'],
    params: artifactIdParams,
    query: z.strictObject({ limit: queryInt(1, 1000).optional().meta({ description: 'Cached executions to list (default 100)' }) }),
    responses: lineageAnswer('The artifact and the cached executions, with the events between them'),
  },
  getExecutionReuse: {
    method: 'get',
    path: '/api/executions/:executionId/reuse',
    access: 'viewer',
    summary: 'The cached executions that reused an execution’s result (their `cachedFrom` is it)',
    description: "The execution's `reusedBy` expanded, oldest first, with the artifacts it wrote (which they handed out); `truncated` when there are more than `limit`.",
    tags: ['lineage'],
    params: z.strictObject({
      executionId: idSchema.meta({ description: 'Execution id, `<runId>.<taskPath>` (percent-encode "/" as %2F)', example: '3f2a9c1d0b7e.train' }),
    }),
    query: z.strictObject({ limit: queryInt(1, 1000).optional().meta({ description: 'Cached executions to list (default 100)' }) }),
    responses: lineageAnswer('The execution, its output artifacts and the cached executions, with the events between them'),
  },
  getRunLineage: {
    method: 'get',
    path: '/api/runs/:runId/lineage',
    access: 'viewer',
    summary: "A run's graph: its executions, the artifacts they read and wrote, and the events between them",
    tags: ['lineage'],
    params: runIdParams,
    responses: lineageAnswer('The graph (root: the run id; artifacts from other runs that it read included)'),
  },

  // artifacts
  getArtifact: {
    method: 'get',
    path: '/api/artifacts/:artifactId',
    access: 'viewer',
    summary: 'An artifact: type, uri, digest, size, properties, and the executions that produced and consumed it',
    tags: ['artifacts'],
    params: artifactIdParams,
    responses: { 200: { description: 'The artifact', schema: artifactDetailSchema } },
  },
  downloadArtifact: {
    method: 'get',
    path: '/api/artifacts/:artifactId/content',
    access: 'viewer',
    // A download link (<a href download>) cannot send an Authorization header either.
    tokenInQuery: true,
    summary: "Download an artifact's content: a file as is, a directory as a tar archive",
    description: 'Files support HTTP range requests. Directories stream as `application/x-tar` with the files under `<name>/`.',
    tags: ['artifacts'],
    params: artifactIdParams,
    responses: {
      200: { description: 'The bytes (attachment)', content: { 'application/octet-stream': { schema: binary }, 'application/x-tar': { schema: binary } } },
    },
  },
  previewArtifact: {
    method: 'get',
    path: '/api/artifacts/:artifactId/preview',
    access: 'viewer',
    summary: 'A preview: the first rows of a dataset (JSON or CSV), the text of Markdown/HTML, a small JSON value, a directory listing',
    tags: ['artifacts'],
    params: artifactIdParams,
    query: z.strictObject({ rows: queryInt(1, 1000).optional().meta({ description: 'Rows of a table (default 20)' }) }),
    responses: { 200: { description: 'The preview', schema: z.object({ artifact: artifactSchema, preview: artifactPreviewSchema }) } },
  },

  // experiments
  createExperiment: {
    method: 'post',
    path: '/api/experiments',
    access: 'editor',
    summary: 'Create an experiment (a named group of runs)',
    tags: ['experiments'],
    body: z.strictObject({
      name: experimentName,
      description: z.string().max(10_000).optional(),
    }),
    responses: {
      201: { description: 'Created', schema: z.object({ experiment: experimentSchema }) },
      409: { description: 'An experiment with this name exists' },
    },
  },
  listExperiments: {
    method: 'get',
    path: '/api/experiments',
    access: 'viewer',
    summary: 'Experiments, by name (archived ones with archived=true)',
    tags: ['experiments'],
    query: z.strictObject({ archived: queryFlag.optional().meta({ description: 'true: archived experiments too' }) }),
    responses: { 200: { description: 'Experiments', schema: z.object({ experiments: z.array(experimentSchema) }) } },
  },
  getExperiment: {
    method: 'get',
    path: '/api/experiments/:experiment',
    access: 'viewer',
    summary: 'An experiment and its runs, newest first',
    tags: ['experiments'],
    params: experimentParams,
    responses: { 200: { description: 'The experiment', schema: z.object({ experiment: experimentSchema, runs: z.array(runSchema) }) } },
  },
  updateExperiment: {
    method: 'patch',
    path: '/api/experiments/:experiment',
    access: 'editor',
    summary: 'Rename an experiment, change its description, archive or restore it',
    description: 'An archived experiment is left out of listings and takes no new runs; its runs stay in it.',
    tags: ['experiments'],
    params: experimentParams,
    body: z.strictObject({
      name: experimentName.optional(),
      description: z.string().max(10_000).nullable().optional(),
      archived: z.boolean().optional(),
    }),
    responses: {
      200: { description: 'The experiment after the change', schema: z.object({ experiment: experimentSchema }) },
      409: { description: 'An experiment with the new name exists' },
    },
  },
  addExperimentRuns: {
    method: 'post',
    path: '/api/experiments/:experiment/runs',
    access: 'editor',
    summary: 'Put runs in an experiment (idempotent); a run in another experiment moves (a run belongs to at most one)',
    tags: ['experiments'],
    params: experimentParams,
    body: z.strictObject({ runIds: z.array(idSchema).min(1).max(1000) }),
    responses: {
      200: { description: 'The experiment after the change', schema: z.object({ experiment: experimentSchema }) },
      409: { description: 'The experiment is archived' },
    },
  },
  removeExperimentRun: {
    method: 'delete',
    path: '/api/experiments/:experiment/runs/:runId',
    access: 'editor',
    summary: 'Take a run out of an experiment (the run stays)',
    tags: ['experiments'],
    params: experimentParams.extend({ runId: idSchema }),
    responses: { 204: { description: 'Removed' } },
  },

  // model registry
  listModels: {
    method: 'get',
    path: '/api/models',
    access: 'viewer',
    summary: 'Registered models, by name, with their aliases',
    tags: ['models'],
    responses: { 200: { description: 'Models', schema: z.object({ models: z.array(registeredModelSchema) }) } },
  },
  getModel: {
    method: 'get',
    path: '/api/models/:model',
    access: 'viewer',
    summary: "A registered model and its versions, newest first, each with its artifact, producing run and that run's metrics",
    tags: ['models'],
    params: modelParams,
    responses: { 200: { description: 'The model', schema: z.object({ model: registeredModelSchema, versions: z.array(modelVersionDetailSchema) }) } },
  },
  updateModel: {
    method: 'post',
    path: '/api/models/:model',
    access: 'editor',
    summary: "Change a registered model's description and tags",
    tags: ['models'],
    params: modelParams,
    body: registryUpdateBody,
    responses: { 200: { description: 'The model after the change', schema: z.object({ model: registeredModelSchema }) } },
  },
  registerModelVersion: {
    method: 'post',
    path: '/api/models/:model/versions',
    access: 'editor',
    summary: 'Register a Model artifact as the next version of a model (the model is created on first registration)',
    tags: ['models'],
    params: modelParams,
    body: z.strictObject({
      artifactId: idSchema.meta({ description: 'A Model artifact (ONNX or TF.js), e.g. a run output' }),
      description: z.string().max(10_000).optional(),
      tags: z.record(registryTagKey, z.string().max(5000)).optional(),
    }),
    responses: {
      201: { description: 'The new version', schema: z.object({ version: modelVersionSchema }) },
      404: { description: 'No artifact with that id (`/body/artifactId`)' },
      422: { description: 'The artifact is not a Model (`/body/artifactId`)' },
    },
  },
  updateModelVersion: {
    method: 'post',
    path: '/api/models/:model/versions/:version',
    access: 'editor',
    summary: "Change a model version's description and tags",
    tags: ['models'],
    params: modelVersionParams,
    body: registryUpdateBody,
    responses: { 200: { description: 'The version after the change', schema: z.object({ version: modelVersionSchema }) } },
  },
  moveModelAlias: {
    method: 'post',
    path: '/api/models/:model/aliases/:alias',
    access: 'editor',
    summary: 'Point an alias at a version (or remove it), with a note saying why; recorded in the alias history',
    description:
      'Moves of one model are serialised: a concurrent move waits and then starts from where the other left the alias. ' +
      'With `expectedVersion` the move is a compare-and-set: it is refused (409) when the alias points elsewhere.',
    tags: ['models'],
    params: modelParams.extend({ alias: modelAliasNameSchema }),
    body: z.strictObject({
      version: modelVersionNumber.nullable().meta({ description: 'The version to point at; null removes the alias' }),
      note: z.string().trim().min(1, 'say why the alias moves').max(10_000),
      expectedVersion: modelVersionNumber.nullable().optional().meta({ description: 'The version the alias must point at now (null: absent)' }),
    }),
    responses: {
      200: {
        description: 'The move (`moved: false` when the alias already pointed there: no history row)',
        schema: z.object({ moved: z.boolean(), event: modelAliasEventSchema, model: registeredModelSchema }),
      },
      404: { description: 'No such model, version (`/body/version`) or alias to remove' },
      409: { description: 'The alias does not point at `expectedVersion` (someone moved it meanwhile)' },
    },
  },
  getModelAliasHistory: {
    method: 'get',
    path: '/api/models/:model/history',
    access: 'viewer',
    summary: "The audit history of a model's aliases, oldest first: who moved which alias from which version to which, when and why",
    tags: ['models'],
    params: modelParams,
    query: z.strictObject({ alias: modelAliasNameSchema.optional().meta({ description: 'Only this alias' }) }),
    responses: { 200: { description: 'Alias moves', schema: z.object({ events: z.array(modelAliasEventSchema) }) } },
  },

  listModelRollouts: {
    method: 'get',
    path: '/api/models/:model/rollouts',
    access: 'viewer',
    summary: "A model's rollouts, newest first (the running one first of all), each with its decision log",
    tags: ['models'],
    params: modelParams,
    responses: { 200: { description: 'Rollouts', schema: z.object({ rollouts: z.array(z.object({ rollout: modelRolloutSchema, decisions: z.array(rolloutDecisionSchema) })) }) } },
  },
  startModelRollout: {
    method: 'post',
    path: '/api/models/:model/rollouts',
    access: 'editor',
    summary: 'Start a rollout of a candidate version against champion: a canary (stepped weights, gates from the model server metrics, then promote or roll back), shadow, or A/B',
    description:
      'Runs as a durable Temporal workflow. canary: per step the candidate gets `steps[i]` percent of the requests for `intervalMs`; ' +
      'its error rate and p99 over the window (from the model server /metrics) must be within the gates, over at least `minRequests` requests ' +
      '(fewer: the step is held for another window, at most `maxHolds` times, then rolled back). After the last step champion moves to the candidate.',
    tags: ['models'],
    params: modelParams,
    body: z.strictObject({
      to: z.string().min(1).max(250).meta({ description: 'The candidate: an alias (challenger) or a version number ("3")' }),
      mode: z.enum(['canary', 'shadow', 'ab']).default('canary'),
      steps: z.array(z.number().gt(0).max(100)).min(1).max(100).optional().meta({ description: 'canary: weights in percent, rising (default 10, 50, 100)' }),
      intervalMs: z.number().int().min(1000).max(7 * 24 * 3_600_000).optional().meta({ description: 'canary: each step window (default 5 minutes)' }),
      maxErrorRate: z.number().min(0).max(1).optional().meta({ description: 'canary gate: largest error rate as a fraction (default 0.01)' }),
      maxP99Ms: z.number().gt(0).optional().meta({ description: 'canary gate: largest p99 latency in ms (default 50)' }),
      minRequests: z.number().int().min(1).optional().meta({ description: 'canary: the fewest candidate requests a window is judged on (default 100)' }),
      maxHolds: z.number().int().min(0).max(1000).optional().meta({ description: 'canary: windows a step may be held for too few requests before rollback (default 3)' }),
      split: z.number().gt(0).lt(100).optional().meta({ description: 'ab: the candidate weight (default 50)' }),
      routeKeyHeader: routeKeyHeaderSchema.optional().meta({
        description:
          `canary and ab: the request header whose value makes the split sticky (a user or session id): its hash picks the arm, so one value always reaches the same version (default ${DEFAULT_ROUTE_KEY_HEADER}). A request without it is a fresh random draw`,
      }),
    }),
    responses: {
      201: { description: 'The rollout, running', schema: z.object({ rollout: modelRolloutSchema }) },
      404: { description: 'No such model' },
      409: { description: 'The model has a running rollout already' },
      422: { description: 'No champion, an unknown candidate, or a plan that does not hold' },
    },
  },
  endModelRollout: {
    method: 'post',
    path: '/api/models/:model/rollouts/end',
    access: 'editor',
    summary: "End a model's running rollout: abort it (weight 0, champion stays), or promote a shadow or A/B one (champion moves to the candidate)",
    tags: ['models'],
    params: modelParams,
    body: z.strictObject({
      action: z.enum(['abort', 'promote']),
      reason: z.string().trim().min(1, 'say why').max(10_000),
    }),
    responses: {
      202: { description: 'Asked: its workflow ends it (GET …/rollouts shows the outcome)', schema: z.object({ rollout: modelRolloutSchema }) },
      404: { description: 'No such model, or no running rollout' },
      409: { description: 'A canary cannot be promoted by hand' },
    },
  },

  // components
  listComponents: {
    method: 'get',
    path: '/api/components',
    access: 'viewer',
    summary: 'The component catalog: every component the workers of this server can run',
    tags: ['components'],
    responses: { 200: { description: 'Components by category and name', schema: z.object({ components: z.array(catalogComponentSchema) }) } },
  },

  // tokens
  createToken: {
    method: 'post',
    path: '/api/tokens',
    access: 'admin',
    summary: 'Create an API token; its secret is in this response only',
    tags: ['tokens'],
    body: z.strictObject({ name: tokenNameSchema, role: z.enum(API_ROLES) }),
    responses: {
      201: {
        description: 'The token',
        schema: z.object({ token: apiTokenSchema, secret: z.string().meta({ description: 'Send as "Authorization: Bearer <secret>"' }) }),
      },
    },
  },
  listTokens: {
    method: 'get',
    path: '/api/tokens',
    access: 'admin',
    summary: 'API tokens (never their secrets)',
    tags: ['tokens'],
    responses: { 200: { description: 'Tokens, oldest first', schema: z.object({ tokens: z.array(apiTokenSchema) }) } },
  },
  revokeToken: {
    method: 'delete',
    path: '/api/tokens/:tokenId',
    access: 'admin',
    summary: 'Revoke an API token',
    tags: ['tokens'],
    params: z.strictObject({ tokenId: idSchema }),
    responses: { 204: { description: 'Revoked' } },
  },

  // schedules
  createSchedule: {
    method: 'post',
    path: '/api/schedules',
    access: 'editor',
    summary: 'Create a schedule (cron or intervals) for a pipeline version or IR',
    tags: ['schedules'],
    body: z.strictObject({
      id: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/).optional(),
      pipelineVersionId: z.string().optional(),
      spec: pipelineSpecObjectSchema.optional(),
      params: z.record(z.string(), jsonValueSchema).optional(),
      cron: z.array(z.string().min(1).max(200)).max(20).optional(),
      every: z.array(z.string().max(20)).max(20).optional(),
      timezone: z.string().max(100).optional(),
      startAt: z.iso.datetime().optional(),
      endAt: z.iso.datetime().optional(),
      jitter: z.string().max(20).optional(),
      overlap: overlapPolicySchema.optional(),
      catchupWindow: z.string().max(20).optional(),
      pauseOnFailure: z.boolean().optional(),
      paused: z.boolean().optional(),
      note: z.string().max(500).optional(),
    }),
    responses: {
      201: { description: 'Created', schema: z.object({ schedule: scheduleSchema }) },
      409: { description: 'A schedule with this id exists' },
      422: { description: 'The IR, the parameters, the cron expressions or intervals are invalid, or no such pipeline version (nothing was created)' },
    },
  },
  listSchedules: {
    method: 'get',
    path: '/api/schedules',
    access: 'viewer',
    summary: 'Schedules',
    tags: ['schedules'],
    responses: { 200: { description: 'Schedules', schema: z.object({ schedules: z.array(scheduleSchema) }) } },
  },
  getSchedule: {
    method: 'get',
    path: '/api/schedules/:schedule',
    access: 'viewer',
    summary: 'A schedule with its next and recent runs',
    tags: ['schedules'],
    params: scheduleParams,
    responses: { ...scheduleAnswer, ...scheduleProblems },
  },
  pauseSchedule: {
    method: 'post',
    path: '/api/schedules/:schedule/pause',
    access: 'editor',
    summary: 'Pause a schedule, with a note',
    tags: ['schedules'],
    params: scheduleParams,
    body: noteBody,
    responses: { ...scheduleAnswer, ...scheduleProblems },
  },
  resumeSchedule: {
    method: 'post',
    path: '/api/schedules/:schedule/resume',
    access: 'editor',
    summary: 'Resume a paused schedule, with a note',
    tags: ['schedules'],
    params: scheduleParams,
    body: noteBody,
    responses: { ...scheduleAnswer, ...scheduleProblems },
  },
  triggerSchedule: {
    method: 'post',
    path: '/api/schedules/:schedule/trigger',
    access: 'editor',
    summary: 'Run the schedule now',
    tags: ['schedules'],
    params: scheduleParams,
    body: z.strictObject({ overlap: overlapPolicySchema.optional() }),
    responses: { 202: { description: 'Triggered', schema: z.object({ triggered: z.string() }) }, ...scheduleProblems },
  },
  backfillSchedule: {
    method: 'post',
    path: '/api/schedules/:schedule/backfill',
    access: 'editor',
    summary: 'Run what the schedule would have run in a time range',
    tags: ['schedules'],
    params: scheduleParams,
    body: z.strictObject({ from: z.iso.datetime(), to: z.iso.datetime(), overlap: overlapPolicySchema.optional() }),
    responses: {
      202: { description: 'Backfill started', schema: z.object({ backfilling: z.string(), from: z.string(), to: z.string() }) },
      ...scheduleProblems,
    },
  },
  deleteSchedule: {
    method: 'delete',
    path: '/api/schedules/:schedule',
    access: 'editor',
    summary: 'Delete a schedule (its runs stay)',
    tags: ['schedules'],
    params: scheduleParams,
    responses: { 204: { description: 'Deleted' }, ...scheduleProblems },
  },

  // triggers
  createTrigger: {
    method: 'post',
    path: '/api/triggers',
    access: 'editor',
    summary: 'Create a trigger: webhook, new-artifact sensor, pipeline completion or notification',
    description: 'A webhook trigger answers with its secret once; sign payloads with HMAC-SHA256 over "<timestamp>.<body>".',
    tags: ['triggers'],
    // Checked in full by the automation module (its zod union holds recursive JSON the OpenAPI generator cannot describe).
    body: z.looseObject({ kind: z.enum(TRIGGER_KINDS), id: z.string() }).meta({ id: 'TriggerInput' }),
    responses: {
      201: { description: 'Created', schema: z.object({ trigger: triggerSchema, secret: z.string().optional() }) },
      404: { description: 'No such pipeline version' },
      409: { description: 'A trigger with this id exists' },
      422: { description: 'The trigger definition is invalid (see `detail`)' },
    },
  },
  listTriggers: {
    method: 'get',
    path: '/api/triggers',
    access: 'viewer',
    summary: 'Triggers (secrets left out)',
    tags: ['triggers'],
    responses: { 200: { description: 'Triggers', schema: z.object({ triggers: z.array(triggerSchema) }) } },
  },
  deleteTrigger: {
    method: 'delete',
    path: '/api/triggers/:trigger',
    access: 'editor',
    summary: 'Delete a trigger (runs it started stay)',
    tags: ['triggers'],
    params: triggerParams,
    responses: { 204: { description: 'Deleted' } },
  },
  receiveWebhook: {
    method: 'post',
    path: '/api/triggers/:trigger/webhook',
    access: 'public',
    summary: 'Start a run from a signed webhook delivery',
    description:
      'Headers: X-Sluice-Signature (sha256=<hex HMAC of "<timestamp>.<body>">), X-Sluice-Timestamp (unix seconds), X-Sluice-Delivery (unique id). Bad signature 401, replayed delivery 409.',
    tags: ['triggers'],
    params: triggerParams,
    body: jsonValueSchema,
    responses: {
      202: { description: 'A run was started', schema: z.object({ runId: z.string(), workflowId: z.string() }) },
      400: { description: 'A missing or malformed X-Sluice-Delivery header, or a body that is not JSON' },
      401: { description: 'A missing or bad signature, or a timestamp more than 5 minutes off' },
      404: { description: 'No such trigger, or it is not a webhook' },
      409: { description: 'This delivery was received before (a replay)' },
      410: { description: "The trigger's pipeline version no longer exists" },
      422: { description: 'The payload does not make valid parameters for the pipeline' },
    },
  },
} as const satisfies Record<string, RouteDef>;

export type ApiRoutes = typeof apiRoutes;
export type OperationId = keyof ApiRoutes;

/** The Temporal Web UI's page of a run's workflow, from `serverInfo`'s answer; undefined when no UI is served. */
export function temporalWorkflowUrl(temporalUi: { url: string; namespace: string } | null, workflowId: string): string | undefined {
  if (!temporalUi || !workflowId) return undefined;
  return `${temporalUi.url.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(temporalUi.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
