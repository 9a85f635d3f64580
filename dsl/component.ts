/**
 * `component()`: a component definition is a value that carries its IR (`spec`) and its
 * implementation (`run`); its ports live on as phantom types so wiring can be checked by `tsc`.
 */
import { toMs, type Duration } from './duration';
import { DslError } from './errors';
import { sha256Hex } from './ir/digest';
import { NAME_PATTERN, type ComponentSpec, type ExecutionMode, type ExecutionOptions, type FunctionImpl, type Resources } from './ir/schema';
import type { PortMap } from './ports';
import type { ArtifactKeys, ParamKeys } from './ports';
import type { ComponentContext, RunFunction, RunInputs, RunResult } from './runtime';

type ExtraKeys<R, O extends PortMap> = R extends object ? (string extends keyof R ? never : Exclude<keyof R, ParamKeys<O>> & string) : never;
/**
 * `run()` may return only declared parameter outputs: another key would be dropped silently, and
 * an artifact output is written to `ctx.outputs.<name>.path`, never returned.
 */
type ExtraResultCheck<R, O extends PortMap> = [ExtraKeys<R, O>] extends [never]
  ? unknown
  : {
      run: [ExtraKeys<R, O> & ArtifactKeys<O>] extends [never]
        ? `✗ run() returns "${ExtraKeys<R, O>}", which is not a parameter output of this component; declare it in outputs or drop it`
        : `✗ run() returns artifact output "${ExtraKeys<R, O> & ArtifactKeys<O>}" as a value; write the file at ctx.outputs.${ExtraKeys<R, O> & ArtifactKeys<O>}.path instead`;
    };

/** Retry policy as written in the DSL. */
export interface RetryOptions {
  /** Attempts in all, including the first. 1 means no retry. */
  maxAttempts: number;
  initialInterval?: Duration;
  backoffCoefficient?: number;
  maxInterval?: Duration;
}

export interface TimeoutOptions {
  /** Limit for one attempt. */
  attempt?: Duration;
  /** Limit for all attempts together, backoff included. */
  total?: Duration;
  /** A worker that stops heartbeating for this long is considered dead and the attempt retried. */
  heartbeat?: Duration;
  /**
   * How long an attempt may wait for a worker to take it (e.g. a GPU task while no GPU worker is
   * online); then the task fails at once with "no gpu worker picked up the task within …".
   */
  queue?: Duration;
}

export interface CacheOptions {
  /** Default true: a task whose component, parameters and input contents match an earlier success reuses its outputs. */
  enabled?: boolean;
  /** Ignore cached results older than this. */
  maxAge?: Duration;
}

/** Execution options: set on the component, overridable on each task. */
export interface ExecutionOptionsInput {
  resources?: Resources;
  retry?: RetryOptions;
  timeout?: TimeoutOptions;
  /** `false` is short for `{ enabled: false }`. */
  cache?: CacheOptions | false;
  /**
   * `'local'`: a light function step, run by the worker that runs the workflow as a Temporal
   * local activity (no task-queue round trip; no heartbeats, so keep it short). Default
   * `'queued'`: an activity on the task queue of its resource class. See docs/ARCHITECTURE.md.
   */
  execution?: ExecutionMode;
}

export interface ComponentOptions<I extends PortMap, O extends PortMap> extends ComponentBase<I, O> {
  run: RunFunction<I, O>;
  /** Where workers import this component from (set by libraries; the CLI fills it for user files). */
  module?: string;
  export?: string;
}

declare const componentTypes: unique symbol;

export interface ComponentDefinition<I extends PortMap = PortMap, O extends PortMap = PortMap> {
  readonly kind: 'component';
  readonly spec: ComponentSpec;
  readonly run: RunFunction<I, O>;
  /** Phantom: the typed ports, read by `pipeline()` wiring. */
  readonly [componentTypes]?: { inputs: I; outputs: O };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any-port component for registries
export type AnyComponent = ComponentDefinition<any, any>;

export function isComponent(value: unknown): value is AnyComponent {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'component' && 'spec' in value;
}

export function toExecutionOptions(o: ExecutionOptionsInput, where: string): ExecutionOptions {
  const out: ExecutionOptions = {};
  if (o.resources) {
    const { gpu, cpu, memory } = o.resources;
    if (gpu !== undefined && !(Number.isInteger(gpu) && gpu >= 0)) throw new DslError(`${where}: resources.gpu takes a whole number of GPUs (0, 1, 2 …); got ${gpu}`);
    if (cpu !== undefined && !(cpu > 0)) throw new DslError(`${where}: resources.cpu must be more than 0; got ${cpu}`);
    if (memory !== undefined && !(Number.isInteger(memory) && memory > 0)) throw new DslError(`${where}: resources.memory takes a whole number of MiB, 1 or more; got ${memory}`);
    out.resources = { ...o.resources };
  }
  if (o.retry) {
    const r = o.retry;
    if (!Number.isInteger(r.maxAttempts) || r.maxAttempts < 1) {
      throw new DslError(`${where}: retry.maxAttempts must be an integer ≥ 1 (got ${r.maxAttempts})`);
    }
    out.retry = { maxAttempts: r.maxAttempts };
    if (r.initialInterval !== undefined) out.retry.initialIntervalMs = toMs(r.initialInterval, `${where}: retry.initialInterval`);
    if (r.backoffCoefficient !== undefined) out.retry.backoffCoefficient = r.backoffCoefficient;
    if (r.maxInterval !== undefined) out.retry.maxIntervalMs = toMs(r.maxInterval, `${where}: retry.maxInterval`);
  }
  if (o.timeout) {
    out.timeout = {};
    if (o.timeout.attempt !== undefined) out.timeout.attemptMs = toMs(o.timeout.attempt, `${where}: timeout.attempt`);
    if (o.timeout.total !== undefined) out.timeout.totalMs = toMs(o.timeout.total, `${where}: timeout.total`);
    if (o.timeout.heartbeat !== undefined) out.timeout.heartbeatMs = toMs(o.timeout.heartbeat, `${where}: timeout.heartbeat`);
    if (o.timeout.queue !== undefined) out.timeout.queueMs = toMs(o.timeout.queue, `${where}: timeout.queue`);
  }
  if (o.cache !== undefined) {
    const c = o.cache === false ? { enabled: false } : o.cache;
    out.cache = {};
    if (c.enabled !== undefined) out.cache.enabled = c.enabled;
    if (c.maxAge !== undefined) out.cache.maxAgeMs = toMs(c.maxAge, `${where}: cache.maxAge`);
  }
  if (o.execution !== undefined) {
    if (o.execution !== 'local' && o.execution !== 'queued') throw new DslError(`${where}: execution must be 'local' or 'queued' (got ${String(o.execution)})`);
    // Only what is said reaches the IR (a task's 'queued' overrides its component's 'local'), so
    // pipelines that never mention it keep their digests.
    out.execution = o.execution;
  }
  return out;
}

/** What every kind of component declares besides its implementation. */
export interface ComponentBase<I extends PortMap, O extends PortMap> extends ExecutionOptionsInput {
  name: string;
  version?: string;
  description?: string;
  category?: string;
  inputs?: I;
  outputs?: O;
}

/** Checks a component's name and port names and returns its port specs (shared by every kind). */
export function declarePorts(
  options: Pick<ComponentBase<PortMap, PortMap>, 'name' | 'inputs' | 'outputs'>,
  where: string,
): { inputs: ComponentSpec['inputs']; outputs: ComponentSpec['outputs'] } {
  if (!NAME_PATTERN.test(options.name)) {
    throw new DslError(`${where}: invalid name; use letters, digits, "-" and "_", starting with a letter`);
  }
  const inputs = Object.fromEntries(Object.entries(options.inputs ?? {}).map(([k, p]) => [k, p.spec]));
  const outputs = Object.fromEntries(Object.entries(options.outputs ?? {}).map(([k, p]) => [k, p.spec]));
  for (const k of Object.keys(inputs)) {
    if (k in outputs) throw new DslError(`${where}: "${k}" is both an input and an output; give them different names`);
  }
  return { inputs, outputs };
}

/**
 * Builds a component definition around an implementation spec (function, command, approval, nested
 * pipeline): checks names and ports, converts options to IR.
 */
export function defineComponent<I extends PortMap, O extends PortMap>(
  options: ComponentBase<I, O>,
  impl: ComponentSpec['impl'],
  run: RunFunction<I, O>,
): ComponentDefinition<I, O> {
  const where = `component "${options.name}"`;
  const { inputs, outputs } = declarePorts(options, where);
  for (const [k, p] of Object.entries(outputs)) {
    if (p.kind === 'artifact' && p.list) throw new DslError(`${where}: output "${k}" is a list of artifacts; outputs are single artifacts (lists come from collect())`);
  }
  const spec: ComponentSpec = {
    name: options.name,
    version: options.version ?? '1',
    inputs,
    outputs,
    impl,
    ...toExecutionOptions(options, where),
  };
  if (options.description !== undefined) spec.description = options.description;
  if (options.category !== undefined) spec.category = options.category;
  return { kind: 'component', spec, run };
}

/**
 * Declares a component.
 *
 * ```ts
 * const split = component({
 *   name: 'split',
 *   inputs: { data: t.Dataset(), testFraction: t.float({ default: 0.2 }) },
 *   outputs: { train: t.Dataset(), test: t.Dataset() },
 *   run: async ({ data, testFraction }, ctx) => { ... write ctx.outputs.train.path ... },
 * });
 * ```
 */
export function component<const I extends PortMap = Record<never, never>, const O extends PortMap = Record<never, never>, R extends RunResult<O> = RunResult<O>>(
  options: Omit<ComponentOptions<I, O>, 'run'> & { run: (inputs: RunInputs<I>, ctx: ComponentContext<O>) => R | Promise<R> } & ExtraResultCheck<R, O>,
): ComponentDefinition<I, O> {
  const impl: FunctionImpl = {
    kind: 'function',
    // The code is part of the identity: editing `run` changes the digest (and misses the cache).
    digest: sha256Hex(options.run.toString()),
  };
  if (options.module !== undefined) impl.module = options.module;
  if (options.export !== undefined) impl.export = options.export;
  return defineComponent(options, impl, options.run as RunFunction<I, O>);
}
