/**
 * Schemas shared by several endpoints: path parameters, the records the API returns, and the
 * problem document. Response schemas describe the JSON for the OpenAPI document (the server does
 * not validate its own answers); request schemas live with their endpoints.
 */
import { z } from './openapi';

// ---- request pieces --------------------------------------------------------------------------

/** Ids in paths: any printable text of sane length (artifact ids hold "/", "[", "]": percent-encode them). */
export const idSchema = z
  .string()
  .min(1)
  .max(512)
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'must not contain control characters');

export const runIdParams = z.strictObject({ runId: idSchema.openapi({ description: 'Run id', example: '3f2a9c1d0b7e' }) });
export const artifactIdParams = z.strictObject({
  artifactId: idSchema.openapi({ description: 'Artifact id (percent-encode "/" as %2F)', example: '3f2a9c1d0b7e.train.model' }),
});

/** A non-negative integer given as query text ("10"). */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .openapi({ type: 'integer', minimum: min, maximum: max });

/** An RFC 3339 instant given as query text. */
export const queryInstant = z
  .string()
  .max(64)
  .refine((s) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date or date-time, e.g. 2030-01-31T12:00:00Z')
  .transform((s) => new Date(s))
  .openapi({ type: 'string', format: 'date-time' });

/**
 * Any JSON value. A parsed JSON body can only hold JSON, so `unknown` is exact here (and, unlike the
 * recursive z.json(), the OpenAPI generator can describe it); what a value means is checked by the
 * endpoint (parameter types by the pipeline's inputs).
 */
export const jsonValueSchema = z.unknown().openapi({ description: 'Any JSON value' });
export const jsonObjectSchema = z.record(z.string(), z.unknown()).openapi({ type: 'object', additionalProperties: true });

// ---- records ---------------------------------------------------------------------------------

const instant = z.string().openapi({ format: 'date-time' });
const nullableInstant = instant.nullable();

export const problemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:sluice:problem:validation' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string().openapi({ description: 'JSON Pointer into the request: /body/…, /query/…, /params/…', example: '/body/params/epochs' }),
          message: z.string(),
          code: z.string().optional(),
          hint: z.string().optional(),
        }),
      )
      .optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details' });

export const runStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled']);
export const executionStatusSchema = z.enum(['running', 'waiting', 'succeeded', 'failed', 'cancelled', 'cached', 'skipped']);

export const runSchema = z
  .object({
    id: z.string(),
    pipelineVersionId: z.string(),
    pipelineName: z.string(),
    status: runStatusSchema,
    params: jsonObjectSchema,
    trigger: jsonObjectSchema.openapi({ description: 'What started the run: { kind: "api" | "cli" | "retry" | "schedule" | "trigger", … }' }),
    workflowId: z.string(),
    failedTask: z.string().nullable(),
    error: z.string().nullable(),
    outputs: jsonObjectSchema.nullable(),
    createdAt: instant,
    startedAt: nullableInstant,
    finishedAt: nullableInstant,
  })
  .openapi('Run');

export const executionSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    taskId: z.string().openapi({ description: 'Task path: train, sweep[3]/train, sub/train' }),
    componentName: z.string(),
    componentDigest: z.string(),
    status: executionStatusSchema,
    attempt: z.number().int(),
    params: jsonObjectSchema,
    outputParams: jsonObjectSchema.nullable(),
    error: z.string().nullable(),
    cacheKey: z.string().nullable(),
    cachedFrom: z.string().nullable(),
    startedAt: instant,
    finishedAt: nullableInstant,
  })
  .openapi('Execution');

export const artifactSchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: 'Dataset' }),
    name: z.string(),
    uri: z.string(),
    sha256: z.string(),
    size: z.number().int(),
    properties: jsonObjectSchema,
    createdAt: instant,
  })
  .openapi('Artifact');

export const runArtifactSchema = artifactSchema
  .extend({
    taskId: z.string(),
    port: z.string(),
    reused: z.boolean().openapi({ description: 'Handed out from the cache: written by an execution of another run or task' }),
  })
  .openapi('RunArtifact');

export const taskStatusSchema = z
  .object({
    state: z.enum(['pending', 'running', 'waiting', 'succeeded', 'cached', 'skipped', 'failed', 'cancelled']),
    startedAt: z.number().optional(),
    finishedAt: z.number().optional(),
    error: z.string().optional(),
    executionId: z.string().optional(),
    items: z.object({ total: z.number(), succeeded: z.number(), failed: z.number(), done: z.number() }).optional(),
    approval: z.object({ message: z.string().optional(), deadline: z.number().optional() }).optional(),
    taskQueue: z.string().optional().openapi({ description: 'Tasks run by workers: the Temporal task queue their attempts wait in' }),
    waitingFor: z
      .object({ resourceClass: z.enum(['cpu', 'gpu']), reason: z.string() })
      .optional()
      .openapi({ description: 'Scheduled, but no idle worker polls its queue (state is then waiting): e.g. "waiting for a gpu worker: …"' }),
  })
  .openapi('TaskStatus');

export const liveStatusSchema = z
  .object({
    runId: z.string(),
    pipeline: z.string(),
    state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
    tasks: z.record(z.string(), taskStatusSchema),
    failedTask: z.string().optional(),
    error: z.string().optional(),
  })
  .openapi('LiveStatus', { description: "The workflow's own view (status query) of a running run" });

export const logLineSchema = z
  .object({
    runId: z.string(),
    executionId: z.string(),
    taskId: z.string(),
    attempt: z.number().int(),
    seq: z.number().int().openapi({ description: 'Position among the lines of the execution; the `after` cursor' }),
    ts: instant,
    stream: z.enum(['log', 'stdout', 'stderr', 'system']),
    level: z.enum(['debug', 'info', 'warn', 'error']).nullable(),
    message: z.string(),
    fields: jsonObjectSchema.nullable(),
  })
  .openapi('LogLine');

export const reuseCountSchema = z
  .object({ executions: z.number().int(), runs: z.number().int() })
  .openapi('ReuseCount', {
    description:
      'Cached executions folded into a node, and their runs. An execution: those that reused its result. An artifact: those linked to it (they handed it out or were given it).',
  });

export const lineageGraphSchema = z
  .object({
    root: z.string(),
    nodes: z.array(
      z.object({
        kind: z.enum(['artifact', 'execution']),
        id: z.string(),
        depth: z.number().int().optional(),
        artifact: artifactSchema.optional(),
        execution: executionSchema.optional(),
        reusedBy: reuseCountSchema.optional(),
      }),
    ),
    edges: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        kind: z.enum(['input', 'output', 'reused']).openapi({
          description:
            'input: artifact → the execution that read it; output: execution → the artifact it wrote (one producer per artifact); reused: a cached execution → the artifact it handed out from the cache',
        }),
        port: z.string(),
      }),
    ),
    truncated: z.boolean(),
  })
  .openapi('LineageGraph', {
    description: 'Artifacts and executions, edges upstream → downstream. Walks step only through executions that ran; cached ones are folded into `reusedBy`.',
  });

export const pipelineVersionSummarySchema = z
  .object({ id: z.string(), pipelineId: z.string(), pipelineName: z.string(), digest: z.string(), createdAt: instant })
  .openapi('PipelineVersionSummary');

export const portSpecDocSchema = z
  .object({
    kind: z.enum(['parameter', 'artifact']),
    type: z.string(),
    list: z.boolean().optional(),
    description: z.string().optional(),
    default: jsonValueSchema.optional(),
    optional: z.boolean().optional(),
  })
  .openapi('PortSpec');

export const experimentSchema = z
  .object({ id: z.string(), name: z.string(), description: z.string().nullable(), createdAt: instant, runCount: z.number().int() })
  .openapi('Experiment');

export const apiTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(['viewer', 'editor', 'admin']),
    createdAt: instant,
    lastUsedAt: nullableInstant,
    revokedAt: nullableInstant,
  })
  .openapi('ApiToken');
