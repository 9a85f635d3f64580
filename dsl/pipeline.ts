/**
 * `pipeline()`: builds a DAG by passing outputs of tasks into inputs of other tasks. The builder
 * callback runs once, synchronously, and records tasks; `compile()` turns the result into IR.
 */
import { isComponent, toExecutionOptions, type AnyComponent, type ComponentDefinition, type ExecutionOptionsInput } from './component';
import { DslError } from './errors';
import { API_VERSION, NAME_PATTERN, type Binding, type PipelineSpec, type TaskSpec } from './ir/schema';
import type { ArtifactRef, Json, OutputRefs, ParamRef, PortMap, TaskInputs } from './ports';

declare const pipelineTypes: unique symbol;

export interface TaskHandle<O extends PortMap> {
  readonly id: string;
  /** References to this task's outputs, to pass into other tasks' inputs. */
  readonly outputs: OutputRefs<O>;
}

export interface TaskOptions extends ExecutionOptionsInput {
  /** Task id (unique in the pipeline). Defaults to the component name, suffixed when repeated. */
  id?: string;
  /** Run only after these tasks, even without a data edge between them. */
  after?: TaskHandle<PortMap>[];
  /** Label shown in the editor. */
  label?: string;
}

export interface PipelineBuilder<PI extends PortMap> {
  /** References to the pipeline's inputs. */
  readonly inputs: OutputRefs<PI>;
  /** Adds a task running `component` with the given inputs. */
  task<I extends PortMap, O extends PortMap>(
    component: ComponentDefinition<I, O>,
    inputs: TaskInputs<I>,
    options?: TaskOptions,
  ): TaskHandle<O>;
}

type AnyRef = ParamRef<string> | ArtifactRef<string>;
type OutputsOf<R> = { [K in keyof R]: R[K] extends AnyRef ? R[K] : never };

export interface PipelineOptions<PI extends PortMap> {
  name: string;
  description?: string;
  inputs?: PI;
}

export interface PipelineDefinition<PI extends PortMap = PortMap, PO extends Record<string, AnyRef> = Record<string, AnyRef>> {
  readonly kind: 'pipeline';
  readonly name: string;
  /** The IR as built (validate with `compile()` before running it). */
  readonly spec: PipelineSpec;
  /** Every component the pipeline uses, by IR component ref: what a worker needs to run it. */
  readonly components: ReadonlyMap<string, AnyComponent>;
  readonly [pipelineTypes]?: { inputs: PI; outputs: PO };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any pipeline, for registries and the CLI
export type AnyPipeline = PipelineDefinition<any, any>;

export function isPipeline(value: unknown): value is AnyPipeline {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'pipeline' && 'spec' in value;
}

function refFor(binding: Binding, port: { kind: string; type: string }): AnyRef {
  return port.kind === 'artifact'
    ? { kind: 'artifact', artifactType: port.type, binding }
    : { kind: 'parameter', paramType: port.type, binding };
}

function isRef(value: unknown): value is AnyRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    'binding' in value &&
    ((value as { kind?: unknown }).kind === 'parameter' || (value as { kind?: unknown }).kind === 'artifact')
  );
}

/**
 * Declares a pipeline.
 *
 * ```ts
 * export default pipeline({ name: 'iris', inputs: { seed: t.int({ default: 42 }) } }, (p) => {
 *   const data = p.task(loadIris, {});
 *   const parts = p.task(split, { data: data.outputs.data, seed: p.inputs.seed });
 *   return { train: parts.outputs.train };
 * });
 * ```
 */
export function pipeline<const PI extends PortMap = Record<never, never>, R extends Record<string, AnyRef> = Record<never, never>>(
  options: PipelineOptions<PI>,
  build: (p: PipelineBuilder<PI>) => R | void,
): PipelineDefinition<PI, OutputsOf<R>> {
  const where = `pipeline "${options.name}"`;
  if (!NAME_PATTERN.test(options.name)) {
    throw new DslError(`${where}: invalid name; use letters, digits, "-" and "_", starting with a letter`);
  }
  const inputSpecs = Object.fromEntries(Object.entries(options.inputs ?? {}).map(([k, p]) => [k, p.spec]));
  const tasks: Record<string, TaskSpec> = {};
  const components = new Map<string, AnyComponent>();
  const refByDigest = new Map<string, string>();

  const componentRef = (c: AnyComponent): string => {
    const key = `${c.spec.name}@${c.spec.version}:${c.spec.impl.digest}`;
    const existing = refByDigest.get(key);
    if (existing) return existing;
    let ref = c.spec.name;
    for (let n = 2; components.has(ref); n++) ref = `${c.spec.name}-${n}`;
    refByDigest.set(key, ref);
    components.set(ref, c);
    return ref;
  };

  const builder: PipelineBuilder<PI> = {
    inputs: Object.fromEntries(
      Object.entries(inputSpecs).map(([k, spec]) => [k, refFor({ pipelineInput: k }, spec)]),
    ) as OutputRefs<PI>,
    task<I extends PortMap, O extends PortMap>(
      comp: ComponentDefinition<I, O>,
      inputs: TaskInputs<I>,
      opts: TaskOptions = {},
    ): TaskHandle<O> {
      if (!isComponent(comp)) throw new DslError(`${where}: p.task() needs a component made with component()`);
      let id = opts.id;
      if (id === undefined) {
        id = comp.spec.name;
        for (let n = 2; tasks[id] !== undefined; n++) id = `${comp.spec.name}-${n}`;
      } else if (tasks[id] !== undefined) {
        throw new DslError(`${where}: two tasks have the id "${id}"; give one of them another id`);
      }
      const taskWhere = `${where}, task "${id}"`;
      const bindings: Record<string, Binding> = {};
      for (const [port, value] of Object.entries(inputs as Record<string, unknown>)) {
        if (value === undefined) continue;
        bindings[port] = isRef(value) ? value.binding : { const: value as Json };
      }
      const spec: TaskSpec = {
        component: componentRef(comp as AnyComponent),
        inputs: bindings,
        ...toExecutionOptions(opts, taskWhere),
      };
      if (opts.after?.length) spec.after = opts.after.map((h) => h.id);
      if (opts.label !== undefined) spec.ui = { label: opts.label };
      tasks[id] = spec;
      const taskId = id;
      const outputs = Object.fromEntries(
        Object.entries(comp.spec.outputs).map(([k, port]) => [k, refFor({ task: taskId, output: k }, port)]),
      ) as OutputRefs<O>;
      return { id: taskId, outputs };
    },
  };

  const result = build(builder) ?? {};
  const outputs: PipelineSpec['outputs'] = {};
  for (const [name, ref] of Object.entries(result)) {
    if (!isRef(ref) || !('task' in ref.binding)) {
      throw new DslError(`${where}: output "${name}" must be a task output (e.g. someTask.outputs.model)`);
    }
    outputs[name] = { task: ref.binding.task, output: ref.binding.output };
  }

  const spec: PipelineSpec = {
    apiVersion: API_VERSION,
    name: options.name,
    inputs: inputSpecs,
    outputs,
    components: Object.fromEntries([...components].map(([ref, c]) => [ref, c.spec])),
    dag: { tasks },
  };
  if (options.description !== undefined) spec.description = options.description;
  return { kind: 'pipeline', name: options.name, spec, components };
}

