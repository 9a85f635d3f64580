/**
 * The IR: a pipeline as plain JSON. The DSL, the editor and the HTTP API all produce it, and every
 * consumer (engine, editor, API) parses it with these schemas before trusting it. The TypeScript
 * types are inferred from the schemas so the two can never drift apart.
 */
import { z } from 'zod';

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
});
export const artifactPortSchema = z.strictObject({
  kind: z.literal('artifact'),
  type: artifactTypeSchema,
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
  /** Heartbeat timeout: a dead worker is noticed after this long. */
  heartbeatMs: z.number().int().positive().optional(),
});

export const executionOptionsSchema = z.strictObject({
  resources: resourcesSchema.optional(),
  retry: retrySchema.optional(),
  timeout: timeoutSchema.optional(),
});

export const functionImplSchema = z.strictObject({
  kind: z.literal('function'),
  /** Module that exports the component, as the worker imports it (package path or repo-relative file). */
  module: z.string().optional(),
  export: z.string().optional(),
  /** sha256 of the implementation's source text: a code change changes the component digest. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});
export const implSchema = z.discriminatedUnion('kind', [functionImplSchema]);

export const componentSpecSchema = z.strictObject({
  name,
  version: z.string().min(1).max(64),
  description: z.string().optional(),
  category: z.string().optional(),
  inputs: z.record(z.string(), portSpecSchema),
  outputs: z.record(z.string(), portSpecSchema),
  impl: implSchema,
  ...executionOptionsSchema.shape,
});

export const constBindingSchema = z.strictObject({ const: jsonValue });
export const pipelineInputBindingSchema = z.strictObject({ pipelineInput: z.string() });
export const taskOutputBindingSchema = z.strictObject({ task: z.string(), output: z.string() });
export const bindingSchema = z.union([constBindingSchema, pipelineInputBindingSchema, taskOutputBindingSchema]);

export const uiSchema = z.strictObject({
  x: z.number().optional(),
  y: z.number().optional(),
  label: z.string().optional(),
});

export const taskSpecSchema = z.strictObject({
  component: z.string(),
  inputs: z.record(z.string(), bindingSchema),
  after: z.array(z.string()).optional(),
  ...executionOptionsSchema.shape,
  /** Editor-only data; never part of the digest. */
  ui: uiSchema.optional(),
});

export const dagSpecSchema = z.strictObject({
  tasks: z.record(z.string(), taskSpecSchema),
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
export type ArtifactPortSpec = z.infer<typeof artifactPortSchema>;
export type PortSpec = z.infer<typeof portSpecSchema>;
export type Resources = z.infer<typeof resourcesSchema>;
export type RetryPolicySpec = z.infer<typeof retrySchema>;
export type TimeoutSpec = z.infer<typeof timeoutSchema>;
export type ExecutionOptions = z.infer<typeof executionOptionsSchema>;
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
