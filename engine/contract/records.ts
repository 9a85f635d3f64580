/**
 * The records the API answers with, as they travel: dates are RFC 3339 strings, JSON values are
 * JSON. Every type a client uses is inferred from these schemas (`z.infer`); the server's replies are
 * checked against them at compile time (engine/server/routing.ts) and, in tests, at run time.
 */
import { z } from 'zod';
import { API_ROLES, instantSchema, jsonObjectSchema, jsonValueSchema } from './common';

const instant = instantSchema;
const nullableInstant = instantSchema.nullable();

// ---- runs and executions ---------------------------------------------------------------------

export const runStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof runStatusSchema>;
/** 'waiting': an approval gate waiting for its decision. */
export const executionStatusSchema = z.enum(['running', 'waiting', 'succeeded', 'failed', 'cancelled', 'cached', 'skipped']);
export type ExecutionStatus = z.infer<typeof executionStatusSchema>;

export const runSchema = z
  .object({
    id: z.string(),
    pipelineVersionId: z.string(),
    pipelineName: z.string(),
    status: runStatusSchema,
    params: jsonObjectSchema,
    trigger: jsonObjectSchema.meta({ description: 'What started the run: { kind: "api" | "cli" | "retry" | "schedule" | "trigger", … }' }),
    workflowId: z.string(),
    failedTask: z.string().nullable().meta({ description: 'The task that failed the run, when one did' }),
    error: z.string().nullable(),
    outputs: jsonObjectSchema.nullable().meta({ description: "The pipeline's outputs (output name → artifact id or parameter value); null until the run has succeeded" }),
    createdAt: instant,
    startedAt: nullableInstant,
    finishedAt: nullableInstant,
  })
  .meta({ id: 'Run' });
export type Run = z.infer<typeof runSchema>;

/** Executions by status (with `taskCounts=true`), for a status summary. */
export const taskCountsSchema = z.partialRecord(executionStatusSchema, z.number().int()).meta({ description: 'Executions by status (with taskCounts=true)' });
export type TaskCounts = z.infer<typeof taskCountsSchema>;

/** The experiment a run belongs to, as a list names it. */
export const runExperimentRefSchema = z.object({ id: z.string(), name: z.string() }).meta({ id: 'RunExperimentRef' });

/** A run in a list: with `taskCounts=true`, also its executions counted by status; with `columns`, those values. */
export const runListItemSchema = runSchema
  .extend({
    experiment: runExperimentRefSchema
      .nullable()
      .optional()
      .meta({ description: 'The experiment the run belongs to (null: none). GET /api/runs always gives it; run stream events leave it out' }),
    taskCounts: taskCountsSchema.optional(),
    columns: z
      .record(z.string(), jsonValueSchema)
      .optional()
      .meta({ description: 'With `columns=`: each asked column (`params.epochs`, `metrics.accuracy` — its latest value —, `tags.team`) → its value, null where the run has none' }),
  })
  .meta({ id: 'RunListItem' });
export type RunListItem = z.infer<typeof runListItemSchema>;

export const executionSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    taskId: z.string().meta({ description: 'Task path: train, sweep[3]/train, sub/train' }),
    componentName: z.string(),
    componentDigest: z.string(),
    status: executionStatusSchema,
    attempt: z.number().int().meta({ description: 'The attempt that last wrote this row (1 = no retry)' }),
    params: jsonObjectSchema,
    outputParams: jsonObjectSchema.nullable(),
    error: z.string().nullable(),
    cacheKey: z.string().nullable(),
    cachedFrom: z.string().nullable().meta({ description: 'The execution whose outputs were reused (status cached)' }),
    startedAt: instant,
    finishedAt: nullableInstant,
  })
  .meta({ id: 'Execution' });
export type Execution = z.infer<typeof executionSchema>;

export const artifactSchema = z
  .object({
    id: z.string(),
    type: z.string().meta({ example: 'Dataset' }),
    name: z.string(),
    uri: z.string(),
    sha256: z.string(),
    size: z.number().int(),
    properties: jsonObjectSchema,
    createdAt: instant,
  })
  .meta({ id: 'Artifact' });
export type Artifact = z.infer<typeof artifactSchema>;

export const runArtifactSchema = artifactSchema
  .extend({
    taskId: z.string(),
    port: z.string(),
    reused: z.boolean().meta({ description: 'Handed out from the cache: written by an execution of another run or task' }),
  })
  .meta({ id: 'RunArtifact' });
export type RunArtifact = z.infer<typeof runArtifactSchema>;

export const taskStateSchema = z.enum(['pending', 'running', 'waiting', 'succeeded', 'cached', 'skipped', 'failed', 'cancelled']);
export type TaskState = z.infer<typeof taskStateSchema>;

export const waitingForSchema = z
  .object({ resourceClass: z.enum(['cpu', 'gpu']), reason: z.string() })
  .meta({ id: 'WaitingFor', description: 'Scheduled, but no idle worker polls its queue (state is then waiting): e.g. "waiting for a gpu worker: …"' });
export type WaitingFor = z.infer<typeof waitingForSchema>;

export const taskStatusSchema = z
  .object({
    state: taskStateSchema.meta({ description: 'waiting: an approval gate waiting for its decision, or (with waitingFor) a task no worker picks up' }),
    startedAt: z.number().optional().meta({ description: 'ms since the epoch' }),
    finishedAt: z.number().optional().meta({ description: 'ms since the epoch' }),
    error: z.string().optional(),
    executionId: z.string().optional(),
    items: z.object({ total: z.number(), succeeded: z.number(), failed: z.number(), done: z.number() }).optional().meta({ description: 'A loop: its items' }),
    approval: z.object({ message: z.string().optional(), deadline: z.number().optional() }).optional().meta({ description: 'An approval gate' }),
    taskQueue: z.string().optional().meta({ description: 'Tasks run by workers: the Temporal task queue their attempts wait in' }),
    waitingFor: waitingForSchema.optional(),
  })
  .meta({ id: 'TaskStatus' });
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const liveStatusSchema = z
  .object({
    runId: z.string(),
    pipeline: z.string(),
    state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
    tasks: z.record(z.string(), taskStatusSchema).meta({ description: 'Top-level tasks by id' }),
    failedTask: z.string().optional(),
    error: z.string().optional(),
  })
  .meta({ id: 'LiveStatus', description: "The workflow's own view (status query) of a running run" });
export type LiveStatus = z.infer<typeof liveStatusSchema>;

/** A run's tags (key → text) and its free-text note, editable after the fact. */
export const runAnnotationsSchema = z
  .object({
    tags: z.record(z.string(), z.string()).meta({ description: 'Tags by key (the note is not among them)' }),
    note: z.string().nullable().meta({ description: 'Free-text note (MLflow: the tag mlflow.note.content)' }),
  })
  .meta({ id: 'RunAnnotations' });
export type RunAnnotations = z.infer<typeof runAnnotationsSchema>;

export const runDetailSchema = z
  .object({
    run: runSchema,
    tags: runAnnotationsSchema.shape.tags,
    note: runAnnotationsSchema.shape.note,
    experiment: z.object({ id: z.string(), name: z.string() }).nullable().meta({ description: 'The experiment the run belongs to (at most one)' }),
    executions: z.array(executionSchema),
    artifacts: z.array(runArtifactSchema),
    // While the run runs and its workflow answers; null otherwise.
    live: liveStatusSchema.nullable(),
  })
  .meta({ id: 'RunDetail' });
export type RunDetail = z.infer<typeof runDetailSchema>;

export const logLineSchema = z
  .object({
    runId: z.string(),
    executionId: z.string(),
    taskId: z.string(),
    attempt: z.number().int(),
    seq: z.number().int().meta({ description: 'Position among the lines of the execution; the `after` cursor' }),
    ts: instant,
    stream: z.enum(['log', 'stdout', 'stderr', 'system']),
    level: z.enum(['debug', 'info', 'warn', 'error']).nullable(),
    message: z.string(),
    fields: jsonObjectSchema.nullable(),
  })
  .meta({ id: 'LogLine' });
export type LogLine = z.infer<typeof logLineSchema>;

export const metricSchema = z
  .object({
    taskId: z.string(),
    executionId: z.string(),
    key: z.string(),
    value: z.number(),
    step: z.number().int(),
    stepLabel: z.string().optional().meta({ description: 'What the step counts ("epoch"), when the component said so' }),
  })
  .meta({ id: 'Metric' });
export type Metric = z.infer<typeof metricSchema>;

export const metricSeriesSchema = z
  .object({
    taskId: z.string(),
    key: z.string(),
    stepLabel: z.string().optional().meta({ description: 'What the steps count ("epoch"): a chart\'s x axis' }),
    points: z.array(z.object({ step: z.number().int(), value: z.number() })),
  })
  .meta({ id: 'MetricSeries', description: 'One key of one task, by step (for plots)' });
export type MetricSeries = z.infer<typeof metricSeriesSchema>;

/** Which way a metric is better: `higher` unless its key looks like a loss or an error (or the request says). */
export const metricDirectionSchema = z.enum(['higher', 'lower']);
export type MetricDirection = z.infer<typeof metricDirectionSchema>;

export const runComparisonSchema = z
  .object({
    runs: z.array(
      z.object({
        id: z.string(),
        pipelineName: z.string(),
        pipelineVersionId: z.string(),
        pipelineDigest: z.string(),
        status: runStatusSchema,
        createdAt: instant,
      }),
    ),
    pipelineChanged: z.boolean().meta({ description: 'The runs are of different pipeline versions (digests differ)' }),
    params: z.array(
      z.object({
        key: z.string(),
        values: z.array(jsonValueSchema).meta({ description: 'One per run, in `runs` order; null where the run has none' }),
        differs: z.boolean(),
      }),
    ),
    metrics: z.array(
      z.object({
        key: z.string(),
        values: z.array(z.number().nullable()).meta({ description: 'The final (latest-step) value, one per run; null where the run has none' }),
        direction: metricDirectionSchema,
        directionFrom: z.enum(['default', 'key', 'request']).meta({ description: 'default: higher is better; key: the key looks like a loss/error; request: lowerIsBetter/higherIsBetter said so' }),
        best: z.array(z.number().int()).meta({ description: 'Indexes (in `runs`) of the runs with the best value; empty when fewer than two values or all equal' }),
      }),
    ),
    series: z
      .array(z.object({ runId: z.string(), taskId: z.string(), key: z.string(), points: z.number().int() }))
      .meta({ description: 'Metric series of each run (GET /api/runs/{runId}/metrics has the points)' }),
    seriesPoints: z
      .array(z.object({ runId: z.string(), series: z.array(metricSeriesSchema) }))
      .optional()
      .meta({ description: 'With `points=true`: each run\'s series with their points, in `runs` order' }),
  })
  .meta({ id: 'RunComparison' });
export type RunComparison = z.infer<typeof runComparisonSchema>;

// ---- pipelines and components ----------------------------------------------------------------

/** The IR in bodies and answers: an object here; what it means is the IR validator's job (dsl/ir). */
export const pipelineSpecObjectSchema = z
  .record(z.string(), z.unknown())
  .meta({ id: 'PipelineSpec', description: 'Pipeline IR (`apiVersion: "sluice/v1"`, see docs/IR.md), as `sluice compile` or the editor produce it' });

export const pipelineSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: instant, archivedAt: instant.nullable().meta({ description: 'When it was archived (hidden from listings); null when not' }) })
  .meta({ id: 'Pipeline' });
export type Pipeline = z.infer<typeof pipelineSchema>;

export const pipelineVersionSummarySchema = z
  .object({
    id: z.string(),
    pipelineId: z.string(),
    pipelineName: z.string(),
    digest: z.string(),
    draft: z.boolean().meta({ description: 'The IR has validation problems: stored, but refused for runs, schedules and triggers' }),
    createdAt: instant,
  })
  .meta({ id: 'PipelineVersionSummary' });
export type PipelineVersionSummary = z.infer<typeof pipelineVersionSummarySchema>;

export const pipelineListItemSchema = pipelineSchema
  .extend({ versionCount: z.number().int(), latestVersion: pipelineVersionSummarySchema.nullable() })
  .meta({ id: 'PipelineListItem' });
export type PipelineListItem = z.infer<typeof pipelineListItemSchema>;

export const pipelineVersionSchema = pipelineVersionSummarySchema.extend({ spec: pipelineSpecObjectSchema }).meta({ id: 'PipelineVersion' });
export type PipelineVersion = z.infer<typeof pipelineVersionSchema>;

/** A port as the catalog shows it (the IR's PortSpec; dsl/ir/schema.ts holds the rules). */
export const portSpecDocSchema = z
  .object({
    kind: z.enum(['parameter', 'artifact']),
    type: z.string(),
    list: z.boolean().optional(),
    description: z.string().optional(),
    default: jsonValueSchema.optional(),
    optional: z.boolean().optional(),
  })
  .meta({ id: 'PortSpec' });

export const catalogComponentSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    description: z.string().nullable(),
    category: z.string().meta({ description: 'Palette group ("other" when the component names none)' }),
    kind: z.enum(['function', 'command', 'approval', 'pipeline']),
    digest: z.string(),
    inputs: z.record(z.string(), portSpecDocSchema),
    outputs: z.record(z.string(), portSpecDocSchema),
    spec: z.record(z.string(), z.unknown()).meta({ description: 'The ComponentSpec, as it goes into an IR (check it with the IR schema before use)' }),
  })
  .meta({ id: 'CatalogComponent' });
export type CatalogComponent = z.infer<typeof catalogComponentSchema>;

// ---- artifacts -------------------------------------------------------------------------------

export const artifactEventRefSchema = z
  .object({ executionId: z.string(), runId: z.string().nullable(), taskId: z.string().nullable(), port: z.string() })
  .meta({ id: 'ArtifactEventRef' });
export type ArtifactEventRef = z.infer<typeof artifactEventRefSchema>;

export const artifactDetailSchema = z
  .object({
    artifact: artifactSchema,
    producedBy: z.array(artifactEventRefSchema).meta({ description: 'The execution that wrote it (one)' }),
    consumedBy: z.array(artifactEventRefSchema).meta({ description: 'Executions given it as an input, cached ones included' }),
    reusedBy: z.array(artifactEventRefSchema).meta({ description: 'Cached executions that handed it out from the cache' }),
  })
  .meta({ id: 'ArtifactDetail' });
export type ArtifactDetail = z.infer<typeof artifactDetailSchema>;

const tablePreviewSchema = z.object({
  kind: z.literal('table'),
  format: z.enum(['dataset', 'json-records', 'json-rows', 'csv']),
  columns: z.array(z.string()),
  rows: z.array(z.array(jsonValueSchema)),
  totalRows: z.number().int().nullable().meta({ description: 'null: unknown (a CSV read from its head)' }),
  truncated: z.boolean(),
  columnTypes: z.array(z.string()).optional().meta({ description: "Sluice Dataset format: each column's type (the schema)" }),
  target: z.string().optional().meta({ description: 'Sluice Dataset format: the column a model predicts' }),
});
const textPreviewSchema = z.object({
  kind: z.literal('text'),
  mediaType: z.enum(['text/markdown', 'text/html', 'text/plain']),
  text: z.string(),
  truncated: z.boolean(),
});
const jsonPreviewSchema = z.object({ kind: z.literal('json'), value: jsonValueSchema });
const directoryPreviewSchema = z.object({
  kind: z.literal('directory'),
  files: z.array(z.object({ path: z.string(), size: z.number().int() })),
  truncated: z.boolean(),
});
const noPreviewSchema = z.object({ kind: z.literal('none'), reason: z.string() });

export const artifactPreviewSchema = z
  .discriminatedUnion('kind', [tablePreviewSchema, textPreviewSchema, jsonPreviewSchema, directoryPreviewSchema, noPreviewSchema])
  .meta({
    id: 'ArtifactPreview',
    description:
      'table: columns + the first rows; text: Markdown/HTML/plain text (render HTML only in a sandboxed frame); json: a small JSON value; directory: its files; none: why there is no preview',
  });
export type ArtifactPreview = z.infer<typeof artifactPreviewSchema>;
export type TablePreview = Extract<ArtifactPreview, { kind: 'table' }>;

// ---- lineage ---------------------------------------------------------------------------------

export const reuseCountSchema = z
  .object({ executions: z.number().int(), runs: z.number().int() })
  .meta({
    id: 'ReuseCount',
    description:
      'Cached executions folded into a node, and their runs. An execution: those that reused its result. An artifact: those linked to it (they handed it out or were given it).',
  });
export type ReuseCount = z.infer<typeof reuseCountSchema>;

export const lineageNodeSchema = z
  .object({
    kind: z.enum(['artifact', 'execution']),
    id: z.string(),
    depth: z.number().int().meta({ description: 'Hops from the root (0 for itself)' }),
    artifact: artifactSchema.optional(),
    execution: executionSchema.optional(),
    reusedBy: reuseCountSchema.optional(),
  })
  .meta({ id: 'LineageNode' });
export type LineageNode = z.infer<typeof lineageNodeSchema>;

export const lineageEdgeSchema = z
  .object({ from: z.string(), to: z.string(), kind: z.enum(['input', 'output', 'reused']), port: z.string() })
  .meta({
    id: 'LineageEdge',
    description:
      'Upstream → downstream: artifact → execution (input), execution → artifact (output: one producer per artifact), a cached execution → the artifact it handed out from the cache (reused)',
  });
export type LineageEdge = z.infer<typeof lineageEdgeSchema>;

export const lineageNeighboursSchema = z
  .object({
    id: z.string(),
    upstream: z.number().int().meta({ description: 'Artifact: the execution that wrote it; execution: artifacts it read' }),
    downstream: z
      .number()
      .int()
      .meta({ description: 'Artifact: executions that ran on it (cached ones are in reusedBy); execution: artifacts it wrote or handed out from the cache' }),
    reusedBy: reuseCountSchema.optional().meta({ description: 'Cached executions folded into the node (this server always sends it; absent from older ones)' }),
  })
  .meta({ id: 'LineageNeighbours' });
export type LineageNeighbours = z.infer<typeof lineageNeighboursSchema>;

export const lineageRunSchema = z
  .object({ id: z.string(), pipelineName: z.string(), status: runStatusSchema, createdAt: instant })
  .meta({ id: 'LineageRun' });
export type LineageRun = z.infer<typeof lineageRunSchema>;

export const lineageNeighbourhoodSchema = z
  .object({
    root: z.string(),
    nodes: z.array(lineageNodeSchema),
    edges: z.array(lineageEdgeSchema),
    truncated: z.boolean().meta({ description: 'The depth bound cut the walk short' }),
    neighbours: z.array(lineageNeighboursSchema).meta({
      description:
        'Per node, its neighbours each way in the whole store (distinct ids). More than the graph shows: the node can be expanded (lazy loading). ' +
        'Left out for nodes beyond the first 2000.',
    }),
    runs: z.array(lineageRunSchema).meta({ description: "The runs of the graph's executions (names for people, grouping)" }),
  })
  .meta({ id: 'LineageNeighbourhood', description: 'Artifacts and executions, edges upstream → downstream' });
export type LineageNeighbourhood = z.infer<typeof lineageNeighbourhoodSchema>;

// ---- experiments, tokens ---------------------------------------------------------------------

export const experimentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    createdAt: instant,
    runCount: z.number().int(),
    archivedAt: nullableInstant.meta({ description: 'When it was archived (hidden from listings, closed to new runs); null while active' }),
  })
  .meta({ id: 'Experiment' });
export type Experiment = z.infer<typeof experimentSchema>;

export const apiTokenSchema = z
  .object({ id: z.string(), name: z.string(), role: z.enum(API_ROLES), createdAt: instant, lastUsedAt: nullableInstant, revokedAt: nullableInstant })
  .meta({ id: 'ApiToken' });
export type ApiToken = z.infer<typeof apiTokenSchema>;

// ---- automation ------------------------------------------------------------------------------

export const OVERLAP_POLICIES = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'allow-all'] as const;
export const overlapPolicySchema = z.enum(OVERLAP_POLICIES).meta({ description: 'What a firing does while the previous run still runs' });
export type OverlapPolicy = z.infer<typeof overlapPolicySchema>;

export const scheduleSchema = z
  .object({
    id: z.string(),
    pipeline: z.string(),
    pipelineVersionId: z.string(),
    cron: z.array(z.string()),
    every: z.array(z.string()),
    timezone: z.string().optional(),
    overlap: z.string(),
    paused: z.boolean(),
    note: z.string().optional(),
    nextRuns: z.array(z.string()),
    recentRuns: z.array(z.object({ nominalTime: z.string(), workflowId: z.string() })),
  })
  .meta({ id: 'Schedule' });
export type Schedule = z.infer<typeof scheduleSchema>;

export const TRIGGER_KINDS = ['webhook', 'artifact', 'completion', 'notification'] as const;
export const triggerSchema = z
  .looseObject({ id: z.string(), kind: z.enum(TRIGGER_KINDS) })
  .meta({ id: 'Trigger', description: 'A trigger definition (secrets left out); its other fields depend on its kind' });
export type Trigger = z.infer<typeof triggerSchema>;

// ---- workers ---------------------------------------------------------------------------------

export const workerRoleSchema = z.enum(['control', 'cpu', 'gpu']);
export type WorkerRole = z.infer<typeof workerRoleSchema>;

export const workerQueueSchema = z
  .object({
    name: z.string(),
    role: workerRoleSchema,
    pollers: z.number().int().meta({ description: 'Workers Temporal saw polling in the last minutes' }),
    idlePollers: z.number().int().meta({ description: 'Of those, the ones polling just now: ready for a task' }),
  })
  .meta({ id: 'WorkerQueue' });
export type WorkerQueue = z.infer<typeof workerQueueSchema>;

export const workerSchema = z
  .object({
    process: z.string().meta({ description: 'pid@host of the worker process' }),
    roles: z.array(workerRoleSchema),
    taskQueues: z.array(z.string()),
    gpus: z.array(z.number().int()).meta({ description: "GPU indices (nvidia-smi's numbering) of its gpu worker" }),
    tfjs: z.string().optional().meta({ description: 'TensorFlow.js backend: tfjs-node-gpu, tfjs-node or cpu' }),
    onnx: z.array(z.string()).optional().meta({ description: 'ONNX Runtime execution providers that work, best first' }),
    lastSeen: nullableInstant,
    polling: z.boolean().meta({ description: 'false: busy on every task slot, or gone' }),
    identities: z.array(z.string()),
  })
  .meta({ id: 'Worker' });
export type Worker = z.infer<typeof workerSchema>;

export const workersSchema = z.object({ queues: z.array(workerQueueSchema), workers: z.array(workerSchema) }).meta({ id: 'Workers' });
export type Workers = z.infer<typeof workersSchema>;

// ---- model registry --------------------------------------------------------------------------

const registryTagsSchema = z.record(z.string(), z.string()).meta({ description: 'Free-form tags, key → text' });

export const registeredModelSchema = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    tags: registryTagsSchema,
    createdAt: instant,
    updatedAt: instant,
    aliases: z.record(z.string(), z.number().int()).meta({ description: 'Alias → the version it points at now' }),
    latestVersion: z.number().int().nullable(),
  })
  .meta({ id: 'RegisteredModel', description: 'A registered model; aliases (champion, challenger, any name) say where its versions stand' });
export type RegisteredModel = z.infer<typeof registeredModelSchema>;

export const modelVersionSchema = z
  .object({
    model: z.string(),
    version: z.number().int(),
    artifactId: z.string().meta({ description: 'The Model artifact (ONNX or TF.js); its lineage is the version’s' }),
    description: z.string().nullable(),
    tags: registryTagsSchema,
    createdBy: z.string(),
    sourceExecutionId: z.string().nullable().meta({ description: 'The execution that registered it (register-model component)' }),
    createdAt: instant,
    aliases: z.array(z.string()),
  })
  .meta({ id: 'ModelVersion' });
export type ModelVersion = z.infer<typeof modelVersionSchema>;

export const modelVersionDetailSchema = modelVersionSchema
  .extend({
    artifact: artifactSchema.nullable(),
    producer: z
      .object({ runId: z.string(), executionId: z.string(), taskId: z.string() })
      .nullable()
      .meta({ description: 'The execution that wrote the model artifact, and its run' }),
    metrics: z.record(z.string(), z.number()).meta({ description: "The producing run's metrics, the last step of each key" }),
  })
  .meta({ id: 'ModelVersionDetail' });
export type ModelVersionDetail = z.infer<typeof modelVersionDetailSchema>;

export const modelAliasEventSchema = z
  .object({
    id: z.number().int(),
    model: z.string(),
    alias: z.string(),
    fromVersion: z.number().int().nullable().meta({ description: 'Null: the alias was new' }),
    toVersion: z.number().int().nullable().meta({ description: 'Null: the alias was removed' }),
    actor: z.string().meta({ description: 'Who moved it: the API token’s name, the CLI user, or the run and task' }),
    note: z.string().meta({ description: 'Why (required)' }),
    createdAt: instant,
  })
  .meta({ id: 'ModelAliasEvent', description: 'One alias move, in the audit history' });
export type ModelAliasEvent = z.infer<typeof modelAliasEventSchema>;

export const modelRolloutSchema = z
  .object({
    id: z.string(),
    model: z.string(),
    mode: z.enum(['canary', 'shadow', 'ab']).meta({ description: 'canary: stepped weights with gates; shadow: mirrored to the candidate; ab: fixed sticky split' }),
    baselineVersion: z.number().int().meta({ description: 'What champion pointed at when it started' }),
    candidateVersion: z.number().int(),
    weight: z.number().meta({ description: 'Percent of requests to the model (bare name, @champion) that the candidate answers' }),
    step: z.number().int().meta({ description: '0-based step of the plan; -1 before the first' }),
    state: z.enum(['running', 'promoted', 'rolled-back', 'aborted']),
    plan: jsonObjectSchema.meta({ description: 'Steps, interval, gates, sample floor, as started' }),
    reason: z.string().nullable().meta({ description: 'Why it ended' }),
    workflowId: z.string().nullable(),
    createdBy: z.string(),
    createdAt: instant,
    updatedAt: instant,
    finishedAt: nullableInstant,
  })
  .meta({ id: 'ModelRollout', description: "A rollout of a registered model's candidate version: the model server's traffic split and its state" });
export type ModelRollout = z.infer<typeof modelRolloutSchema>;

export const rolloutDecisionSchema = z
  .object({
    id: z.number().int(),
    rolloutId: z.string(),
    step: z.number().int(),
    weight: z.number(),
    action: z.enum(['start', 'weight', 'pass', 'hold', 'observe', 'promote', 'rollback', 'abort']),
    figures: jsonObjectSchema.meta({ description: 'What it was decided on: requests, errors, errorRate, p99Ms, the thresholds, the window' }),
    reason: z.string(),
    createdAt: instant,
  })
  .meta({ id: 'RolloutDecision', description: 'One decision of a rollout, with its figures' });
export type RolloutDecision = z.infer<typeof rolloutDecisionSchema>;

export const tuneTrialSchema = z
  .object({
    number: z.number().int(),
    state: z.enum(['running', 'succeeded', 'failed', 'pruned', 'cancelled']),
    params: jsonObjectSchema,
    value: z.number().nullable().meta({ description: "The objective's value (succeeded trials)" }),
    prunedStep: z.number().int().nullable().meta({ description: 'Pruned trials: the step at which the early-stopping rule stopped them' }),
    reason: z.string().nullable().meta({ description: 'Why it failed, was pruned or cancelled' }),
    executionId: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'TuneTrial' });
export type TuneTrial = z.infer<typeof tuneTrialSchema>;

export const studySchema = z
  .object({
    study: z.string().meta({ description: 'Task path of the study in the run' }),
    trials: z.array(tuneTrialSchema),
    best: z.object({ number: z.number().int(), value: z.number(), params: jsonObjectSchema }).nullable(),
    control: z
      .object({ parallelTrials: z.number().int(), maxTrials: z.number().int(), stopRequested: z.boolean() })
      .nullable()
      .meta({ description: 'Settings of a study that is still running (null once it ended)' }),
  })
  .meta({ id: 'Study', description: 'A tuning study (p.tune) of a run and its trials' });
export type Study = z.infer<typeof studySchema>;
