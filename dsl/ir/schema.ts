/**
 * The IR: a pipeline as plain JSON. The DSL, the editor and the HTTP API all produce it, and every
 * consumer (engine, editor, API) parses it with these schemas before trusting it. The TypeScript
 * types are inferred from the schemas so the two can never drift apart.
 */
import { z } from 'zod';
import { tuneSpecSchema } from './tuneSpec';

export const API_VERSION = 'sluice/v1' as const;

/** Names of pipelines, components, tasks and ports: safe in URLs, file names and task queues. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const name = z
  .string()
  .regex(NAME_PATTERN, 'must start with a letter and contain only letters, digits, "-" or "_" (max 63)');

/** Parameter types: scalar names or `list<T>` (nesting allowed). Parsed by `parseParamType`. */
export const PARAM_SCALARS = ['string', 'int', 'float', 'bool', 'json'] as const;
export const paramTypeSchema = z
  .string()
  .regex(/^(list<)*(string|int|float|bool|json)(>)*$/, 'must be string, int, float, bool, json or list<...>');

/** Built-in artifact types; any other name matching the pattern is a user-defined type. */
export const BUILTIN_ARTIFACT_TYPES = [
  'Dataset',
  'Model',
  'Metrics',
  'ClassificationMetrics',
  'HTML',
  'Markdown',
  'Artifact',
] as const;
export const artifactTypeSchema = z
  .string()
  .regex(/^[A-Z][A-Za-z0-9_]{0,62}$/, 'artifact types are PascalCase names such as Dataset or Model');

/** Any JSON value (no undefined, functions or NaN), so every IR survives a JSON round trip. */
const jsonValue = z.json();

export const parameterPortSchema = z.strictObject({
  kind: z.literal('parameter'),
  type: paramTypeSchema,
  description: z.string().optional(),
  default: jsonValue.optional(),
  optional: z.boolean().optional(),
  /** A string parameter that takes only these values (`t.enum([...])`). */
  enum: z.array(z.string()).min(1).optional(),
});
export const artifactPortSchema = z.strictObject({
  kind: z.literal('artifact'),
  type: artifactTypeSchema,
  /** A list of artifacts of this type (what `collect()` of a loop's artifact output gives). */
  list: z.boolean().optional(),
  description: z.string().optional(),
  optional: z.boolean().optional(),
});
export const portSpecSchema = z.discriminatedUnion('kind', [parameterPortSchema, artifactPortSchema]);

export const resourcesSchema = z.strictObject({
  cpu: z.number().positive().optional(),
  /** Memory in MiB. */
  memory: z.number().int().positive().optional(),
  gpu: z.number().int().nonnegative().optional(),
  accelerator: z.string().optional(),
});

export const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(100),
  initialIntervalMs: z.number().int().positive().optional(),
  backoffCoefficient: z.number().min(1).optional(),
  maxIntervalMs: z.number().int().positive().optional(),
});

/** Durations are milliseconds in the IR; the DSL accepts strings like "5m" and converts. */
export const timeoutSchema = z.strictObject({
  /** Limit for one attempt. */
  attemptMs: z.number().int().positive().optional(),
  /** Limit for all attempts together, backoff included. */
  totalMs: z.number().int().positive().optional(),
  /** Heartbeat timeout: a dead worker is noticed after this long. */
  heartbeatMs: z.number().int().positive().optional(),
  /**
   * Limit for each attempt's wait in its task queue until a worker takes it (e.g. no GPU worker
   * online): then the task fails, not retried. Absent: it waits as long as `totalMs` allows.
   */
  queueMs: z.number().int().positive().optional(),
});

/** Caching: on by default; `enabled: false` opts out, `maxAgeMs` ignores older results. */
export const cacheSchema = z.strictObject({
  enabled: z.boolean().optional(),
  maxAgeMs: z.number().int().positive().optional(),
});

/**
 * Where a function component's attempt runs. `queued` (the default, left out of the IR so digests
 * of existing pipelines stay as they were): an activity on its resource class's task queue, any
 * task worker takes it, heartbeats notice a dead worker. `local`: a Temporal local activity run by
 * the worker that runs the workflow (the control worker), with no task-queue round trip; for
 * light steps (docs/ARCHITECTURE.md, "Execution modes").
 */
export const executionModeSchema = z.enum(['queued', 'local']);

export const executionOptionsSchema = z.strictObject({
  resources: resourcesSchema.optional(),
  retry: retrySchema.optional(),
  timeout: timeoutSchema.optional(),
  cache: cacheSchema.optional(),
  execution: executionModeSchema.optional(),
});

export const functionImplSchema = z.strictObject({
  kind: z.literal('function'),
  /** Module that exports the component, as the worker imports it (package path or repo-relative file). */
  module: z.string().optional(),
  export: z.string().optional(),
  /** sha256 of the implementation's source text: a code change changes the component digest. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});
/**
 * Any executable. `command` is an argv whose strings may hold placeholders, replaced at run time:
 * `{{inputPath:x}}` (local path of input artifact x), `{{outputPath:y}}` (where to write output
 * artifact y), `{{inputValue:p}}` (parameter p as text; JSON for lists/json), `{{outputFile:q}}`
 * (a file the command writes parameter output q into; read back and parsed by type).
 */
export const commandImplSchema = z.strictObject({
  kind: z.literal('command'),
  command: z.array(z.string()).min(1),
  env: z.record(z.string(), z.string()).optional(),
  /** Working directory, relative to the worker's project root (default: the project root). */
  workingDir: z.string().optional(),
  /**
   * Files the command runs (scripts), relative to the project root. Their content is hashed into
   * the cache key at run time, so editing the script misses the cache.
   */
  sources: z.array(z.string()).optional(),
  /** sha256 over the command, env, working dir and sources list. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});

/** The built-in approval gate: the workflow waits for an approve/reject signal. */
export const approvalImplSchema = z.strictObject({
  kind: z.literal('approval'),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});

/** A whole pipeline used as a component: runs as a child workflow. */
export const pipelineImplSchema = z.strictObject({
  kind: z.literal('pipeline'),
  get spec() {
    return pipelineSpecSchema;
  },
  /** The nested pipeline's digest. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});

export const implSchema = z.discriminatedUnion('kind', [functionImplSchema, commandImplSchema, approvalImplSchema, pipelineImplSchema]);

export const componentSpecSchema = z.strictObject({
  name,
  version: z.string().min(1).max(64),
  description: z.string().optional(),
  category: z.string().optional(),
  inputs: z.record(z.string(), portSpecSchema),
  outputs: z.record(z.string(), portSpecSchema),
  get impl() {
    return implSchema;
  },
  ...executionOptionsSchema.shape,
});

export const constBindingSchema = z.strictObject({ const: jsonValue });
export const pipelineInputBindingSchema = z.strictObject({ pipelineInput: z.string() });
export const taskOutputBindingSchema = z.strictObject({ task: z.string(), output: z.string() });
/** The current item of an enclosing loop; `field` picks a key of an object item, `as` asserts its type. */
export const loopItemBindingSchema = z.strictObject({
  loopItem: z.string(),
  field: z.string().optional(),
  as: paramTypeSchema.optional(),
});
/** Fan-in: an output of a loop's body, collected over the loop's succeeded items, in item order. */
export const collectBindingSchema = z.strictObject({ collect: z.strictObject({ loop: z.string(), output: z.string() }) });
/** Only in an exit handler: the run's outcome so far. */
export const runStatusBindingSchema = z.strictObject({ runStatus: z.enum(['status', 'error', 'failedTask']) });
/** The first of these sources that was not skipped (outputs of exclusive condition branches). */
export const oneOfBindingSchema = z.strictObject({
  oneOf: z.array(z.union([taskOutputBindingSchema, pipelineInputBindingSchema, constBindingSchema])).min(2),
});
// The most common binding first: a union tries its options in order and builds an issue for each
// that fails, which made validating a 10,000-task chain several times slower. The options' keys
// are disjoint (strict objects), so the order never changes what matches.
export const bindingSchema = z.union([
  taskOutputBindingSchema,
  constBindingSchema,
  pipelineInputBindingSchema,
  loopItemBindingSchema,
  collectBindingSchema,
  runStatusBindingSchema,
  oneOfBindingSchema,
]);

/** What a condition may compare: parameters only (values, never artifacts). */
export const operandSchema = z.union([constBindingSchema, pipelineInputBindingSchema, taskOutputBindingSchema, loopItemBindingSchema]);
export const COMPARISON_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export type Operand = z.infer<typeof operandSchema>;
/** A typed expression tree (never evaluated as code). */
export type ComparisonExpr = { op: (typeof COMPARISON_OPS)[number]; left: Operand; right: Operand };
export type Expr = ComparisonExpr | { op: 'and' | 'or'; args: Expr[] } | { op: 'not'; arg: Expr };
export const isComparison = (e: Expr): e is ComparisonExpr => 'left' in e;
export const exprSchema: z.ZodType<Expr> = z.lazy(() =>
  z.union([
    z.strictObject({ op: z.enum(COMPARISON_OPS), left: operandSchema, right: operandSchema }),
    z.strictObject({ op: z.enum(['and', 'or']), args: z.array(exprSchema).min(1) }),
    z.strictObject({ op: z.literal('not'), arg: exprSchema }),
  ]),
);

export const uiSchema = z.strictObject({
  x: z.number().optional(),
  y: z.number().optional(),
  label: z.string().optional(),
  /** Condition group the task was written in (for the editor to draw and collapse it). */
  group: z.string().optional(),
  collapsed: z.boolean().optional(),
});

const nodeCommon = {
  after: z.array(z.string()).optional(),
  /** Runs only when this is true; otherwise the node is recorded as skipped. */
  when: exprSchema.optional(),
  /** Editor-only data; never part of the digest. */
  ui: uiSchema.optional(),
};

export const taskSpecSchema = z.strictObject({
  component: z.string(),
  inputs: z.record(z.string(), bindingSchema),
  ...nodeCommon,
  /** Runs after everything else, whatever the outcome; may read `runStatus` bindings. */
  exitHandler: z.boolean().optional(),
  /**
   * A tuning study (`p.tune`): the component runs once per trial with suggested values in the
   * inputs named by `tune.space` (left out of `inputs`); see dsl/ir/tuneSpec.ts.
   */
  tune: tuneSpecSchema.optional(),
  ...executionOptionsSchema.shape,
});

export const loopSpecSchema = z.strictObject({
  /** A list parameter: a literal list, a pipeline input, a task output or an outer loop's item. */
  items: z.union([constBindingSchema, pipelineInputBindingSchema, taskOutputBindingSchema, loopItemBindingSchema]),
  /** At most this many items run at once (default: bounded by the engine). */
  parallelism: z.number().int().positive().optional(),
  /** The loop succeeds when at least this share of items succeeds (default 1: every item). */
  minSuccessRatio: z.number().min(0).max(1).optional(),
  get tasks() {
    return z.record(z.string(), nodeSpecSchema);
  },
  /** Body outputs that `collect` bindings can read. */
  outputs: z.record(z.string(), taskOutputBindingSchema),
});

export const loopNodeSchema = z.strictObject({
  loop: loopSpecSchema,
  ...nodeCommon,
});

export const nodeSpecSchema = z.union([taskSpecSchema, loopNodeSchema]);

export const dagSpecSchema = z.strictObject({
  tasks: z.record(z.string(), nodeSpecSchema),
});

export const pipelineSpecSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  name,
  description: z.string().optional(),
  inputs: z.record(z.string(), portSpecSchema),
  outputs: z.record(z.string(), taskOutputBindingSchema),
  components: z.record(z.string(), componentSpecSchema),
  dag: dagSpecSchema,
  ui: z.strictObject({ viewport: z.strictObject({ x: z.number(), y: z.number(), zoom: z.number() }).optional() }).optional(),
});

export type ParameterPortSpec = z.infer<typeof parameterPortSchema>;
export type CacheSpec = z.infer<typeof cacheSchema>;
export type CommandImpl = z.infer<typeof commandImplSchema>;
export type ApprovalImpl = z.infer<typeof approvalImplSchema>;
export type PipelineImpl = z.infer<typeof pipelineImplSchema>;
export type LoopItemBinding = z.infer<typeof loopItemBindingSchema>;
export type CollectBinding = z.infer<typeof collectBindingSchema>;
export type RunStatusBinding = z.infer<typeof runStatusBindingSchema>;
export type OneOfBinding = z.infer<typeof oneOfBindingSchema>;
export type LoopSpec = z.infer<typeof loopSpecSchema>;
export type LoopNodeSpec = z.infer<typeof loopNodeSchema>;
export type NodeSpec = z.infer<typeof nodeSpecSchema>;
export type ArtifactPortSpec = z.infer<typeof artifactPortSchema>;
export type PortSpec = z.infer<typeof portSpecSchema>;
export type Resources = z.infer<typeof resourcesSchema>;
export type RetryPolicySpec = z.infer<typeof retrySchema>;
export type TimeoutSpec = z.infer<typeof timeoutSchema>;
export type ExecutionOptions = z.infer<typeof executionOptionsSchema>;
export type ExecutionMode = z.infer<typeof executionModeSchema>;
export type FunctionImpl = z.infer<typeof functionImplSchema>;
export type ComponentImpl = z.infer<typeof implSchema>;
export type ComponentSpec = z.infer<typeof componentSpecSchema>;
export type ConstBinding = z.infer<typeof constBindingSchema>;
export type PipelineInputBinding = z.infer<typeof pipelineInputBindingSchema>;
export type TaskOutputBinding = z.infer<typeof taskOutputBindingSchema>;
export type Binding = z.infer<typeof bindingSchema>;
export type TaskSpec = z.infer<typeof taskSpecSchema>;
export type DagSpec = z.infer<typeof dagSpecSchema>;
export type PipelineSpec = z.infer<typeof pipelineSpecSchema>;
