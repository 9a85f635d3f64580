/**
 * `pipeline()`: builds a DAG by passing outputs of tasks into inputs of other tasks. The builder
 * callback runs once, synchronously, and records tasks; `compile()` turns the result into IR.
 * Control flow: `p.when()` (conditions), `p.forEach()` (loops, fan-in with `collect()`),
 * `p.onExit()` (exit handler), and pipelines used as tasks (nested pipelines).
 */
import type { Condition } from './conditions';
import { defineComponent, isComponent, toExecutionOptions, type AnyComponent, type ComponentDefinition, type ExecutionOptionsInput } from './component';
import { DslError, NonRetryableError, PipelineValidationError } from './errors';
import { pipelineDigest } from './ir/digest';
import {
  API_VERSION,
  NAME_PATTERN,
  type Binding,
  type ComponentSpec,
  type Expr,
  type NodeSpec,
  type Operand,
  type PipelineSpec,
  type PortSpec,
  type TaskSpec,
} from './ir/schema';
import { literalType } from './ir/portTypes';
import { validatePipeline } from './ir/validate';
import type { ArtifactListRef, ArtifactRef, CheckedInputs, Json, LooseInputs, MaybeAbsent, OutputRefs, ParamRef, PortMap, Presence } from './ports';
import type { CheckLoopOptions, CheckTaskOptions } from './checks';
import type { BestParams, CheckSpace, SpaceParam, StudySettings } from './tune';
import type { TuneSpec } from './ir/tuneSpec';
import { taskOutputPort, TUNE_OUTPUTS } from './ir/tuneSpec';

declare const pipelineTypes: unique symbol;

export interface TaskHandle<O extends PortMap> {
  readonly id: string;
  /** References to this task's outputs, to pass into other tasks' inputs. */
  readonly outputs: OutputRefs<O>;
}

export interface NodeHandle {
  readonly id: string;
}

/** Editor-only data of a task or loop (position, condition group); never part of the digest. */
export interface NodeUi {
  x?: number;
  y?: number;
  /** Condition group; set here it replaces the one `p.when()` gives (generated code uses this). */
  group?: string;
  collapsed?: boolean;
}

export interface TaskOptions extends ExecutionOptionsInput {
  /** Task id (unique in the pipeline). Defaults to the component name, suffixed when repeated. */
  id?: string;
  /** Run only after these tasks, even without a data edge between them. */
  after?: readonly NodeHandle[];
  /** Label shown in the editor. */
  label?: string;
  /** Run only when this holds: `p.when()` for one task, without an editor group (what the editor draws). */
  when?: WhenCondition;
  /** Editor position and group (the IR's `ui`); ignored by the digest. */
  ui?: NodeUi;
}

type AnyRef = ParamRef<string, Presence> | ArtifactRef<string, Presence> | ArtifactListRef<string, Presence>;
type OutputsOf<R> = { [K in keyof R]: R[K] extends AnyRef ? R[K] : never };

declare const mergedBrand: unique symbol;
/** What `oneOf()` gives: an input's value, never a pipeline output (the IR's outputs are single task outputs). */
export interface Merged {
  readonly [mergedBrand]: '✗ oneOf() merges branch outputs for a task input; a pipeline output must be one task output: pass the merged value through a task';
}
/** What a pipeline may return as an output: a task output (of a branch too: absent when the branch was skipped). */
export type PipelineOutputRef = AnyRef & { readonly [mergedBrand]?: undefined };

/** The IR type name of a literal's TS type: `0 | 2` → int, `0.5` → float, `{ lr: 0.1 }` → json, `[64]` → list<int>. */
export type LiteralTypeName<E> = [E] extends [never]
  ? 'json'
  : [E] extends [number]
    ? false extends (E extends number ? (`${E}` extends `${bigint}` ? true : false) : never)
      ? 'float'
      : 'int'
    : [E] extends [string]
      ? 'string'
      : [E] extends [boolean]
        ? 'bool'
        : [E] extends [readonly (infer I)[]]
          ? `list<${LiteralTypeName<I>}>`
          : 'json';

/** Parameter type names `field(key, as)` may assert. */
export type ParamTypeName = 'string' | 'int' | 'float' | 'bool' | 'json' | `list<${string}>`;

type RecordKeys<E> = E extends readonly unknown[] ? never : E extends object ? keyof E & string : never;

/**
 * The current item of a loop. Items that are records (a literal list of objects) have `field(key)`,
 * typed from the list; items of a list<json> have `field(key, as)` (checked when the task runs);
 * scalar and list items have no fields.
 */
export type ItemRef<N extends string, E = unknown> = ParamRef<N> &
  (N extends 'json'
    ? [RecordKeys<E>] extends [never]
      ? {
          /** A key of an object item, asserted to be of type `as` (checked when the task runs). */
          field<T extends ParamTypeName>(key: string, as: T): ParamRef<T>;
        }
      : {
          /** A key every item of the list has; its type comes from the list's values. */
          field<K extends RecordKeys<E>>(key: K, as?: LiteralTypeName<E extends Record<K, infer V> ? V : never>): ParamRef<LiteralTypeName<E extends Record<K, infer V> ? V : never>>;
        }
    : unknown);

/** An output of a loop body: not usable directly (there is one per item); pass it to `collect()`. */
export interface LoopOutput<R extends AnyRef> {
  readonly kind: 'loopOutput';
  readonly loop: string;
  readonly output: string;
  readonly ref: R;
}

export interface LoopHandle<R> {
  readonly id: string;
  readonly outputs: { readonly [K in keyof R]: R[K] extends ParamRef<string, Presence> | ArtifactRef<string, Presence> ? LoopOutput<R[K]> : never };
}

export interface LoopOptions {
  id?: string;
  /** At most this many items run at once. */
  parallelism?: number;
  /** The loop succeeds when at least this share of items succeeds (default 1). */
  minSuccessRatio?: number;
  after?: readonly NodeHandle[];
  label?: string;
  /** Run the loop only when this holds (as `TaskOptions.when`). */
  when?: WhenCondition;
  /** Editor position and group (the IR's `ui`); ignored by the digest. */
  ui?: NodeUi;
}

/** Item type of a list reference or a literal list (an int list stays int; records are json with fields). */
type ItemTypeOf<L> = L extends ParamRef<`list<${infer N}>`, Presence> ? N : L extends readonly (infer E)[] ? LiteralTypeName<E> : never;
type ItemOf<L> = L extends readonly (infer E)[] ? E : unknown;

/**
 * What a branch returns, seen from outside the branch: its task outputs may be absent (the branch
 * may be skipped), so they feed required inputs only through `oneOf()` (or `ifRan()`).
 */
export type BranchValue<R> = R extends AnyRef
  ? MaybeAbsent<R>
  : R extends { readonly id: string; readonly outputs: infer O }
    ? { readonly id: string; readonly outputs: { readonly [K in keyof O]: MaybeAbsent<O[K]> } }
    : R extends object
      ? { readonly [K in keyof R]: BranchValue<R[K]> }
      : R;
type BranchValues<Rs extends unknown[]> = { [K in keyof Rs]: BranchValue<Rs[K]> };

/** A condition for `p.when()`: a `Condition`, or a bool parameter (true runs the branch). */
export type WhenCondition = Condition | ParamRef<'bool', Presence>;

export interface ConditionChain<Rs extends unknown[]> {
  /** Values returned by each branch's callback, in order; their outputs may be absent (see `oneOf()`). */
  readonly branches: BranchValues<Rs>;
  elseIf<R>(condition: WhenCondition, body: () => R): ConditionChain<[...Rs, R]>;
  else<R>(body: () => R): { readonly branches: BranchValues<[...Rs, R]> };
}

/** The input ports of a component, or of a pipeline used as a task. */
type InputsOf<C> = C extends { readonly kind: 'pipeline' } ? (C extends PipelineDefinition<infer NI, infer _NO> ? NI : never) : C extends ComponentDefinition<infer I, infer _O> ? I : never;
/** The handle `p.task()` gives: a nested pipeline's outputs keep their types. */
type HandleOf<C> = C extends { readonly kind: 'pipeline' }
  ? C extends PipelineDefinition<infer _NI, infer NO>
    ? { readonly id: string; readonly outputs: NO }
    : never
  : C extends ComponentDefinition<infer _I, infer O>
    ? TaskHandle<O>
    : never;

/** What `p.tune()` gives: the best trial's outputs and the study's own outputs (dsl/ir/tuneSpec.ts). */
export type StudyHandle<C, S> = C extends ComponentDefinition<infer I, infer O>
  ? {
      readonly id: string;
      readonly outputs: OutputRefs<O> & {
        readonly bestParams: ParamRef<'json'>;
        readonly bestValue: ParamRef<'float'>;
        readonly bestTrial: ParamRef<'int'>;
        readonly trials: ParamRef<'json'>;
        readonly trialsDataset: ArtifactRef<'Dataset'>;
      };
      /** The best trial's value of each search parameter, typed as the input it went into. */
      readonly best: BestParams<I, S>;
    }
  : never;

/** What `p.tune()` gives for a nested pipeline as the trial: the best trial's pipeline outputs, and the study's own. */
export type PipelineStudyHandle<C, S> =
  C extends PipelineDefinition<infer PI, infer NO>
    ? {
        readonly id: string;
        readonly outputs: NO & StudyOwnOutputs;
        /** The best trial's value of each search parameter, typed as the pipeline input it went into. */
        readonly best: BestParams<PI, S>;
      }
    : never;

interface StudyOwnOutputs {
  readonly bestParams: ParamRef<'json'>;
  readonly bestValue: ParamRef<'float'>;
  readonly bestTrial: ParamRef<'int'>;
  readonly trials: ParamRef<'json'>;
  readonly trialsDataset: ArtifactRef<'Dataset'>;
}

/** A pipeline trial's objective also names the inner task that reports the metric; a component's does not. */
type CheckObjective<C, O> = C extends { readonly kind: 'pipeline' }
  ? O extends { readonly task: string }
    ? O
    : "✗ the trial is a nested pipeline: say which of its tasks reports the metric, objective: { metric, task: '<task id>', goal }"
  : O extends { readonly task: string }
    ? '✗ the trial component reports the metric itself; objective.task is only for a nested pipeline as the trial'
    : O;

export interface PipelineBuilder<PI extends PortMap> {
  /** References to the pipeline's inputs. */
  readonly inputs: OutputRefs<PI>;
  /** The run's outcome: for exit handlers only (`p.onExit`). status is succeeded | failed | cancelled. */
  readonly run: { readonly status: ParamRef<'string'>; readonly error: ParamRef<'string'>; readonly failedTask: ParamRef<'string'> };
  /** Adds a task running `component` with the given inputs. */
  task<C extends AnyComponent | AnyPipeline, const In extends LooseInputs<InputsOf<C>>, const TO extends TaskOptions = Record<never, never>>(
    component: C,
    inputs: CheckedInputs<InputsOf<C>, In>,
    options?: CheckTaskOptions<TO>,
  ): HandleOf<C>;
  /** Tasks added inside `body` run only when `condition` holds; the others are recorded as skipped. */
  when<R>(condition: WhenCondition, body: () => R): ConditionChain<[R]>;
  /**
   * Runs `body`'s tasks once per item. Return the body outputs to fan back in with `collect()`.
   * Large loops run in batches of child workflows; `parallelism` bounds the items running at once.
   */
  forEach<
    const L extends ParamRef<`list<${string}>`, Presence> | readonly Json[],
    R,
    const LO extends LoopOptions = Record<never, never>,
  >(
    items: L,
    body: (item: ItemRef<ItemTypeOf<L>, ItemOf<L>>) => R,
    options?: CheckLoopOptions<LO>,
  ): LoopHandle<R extends Record<string, ParamRef<string, Presence> | ArtifactRef<string, Presence>> ? R : Record<never, never>>;
  /**
   * A tuning study: runs `trial` once per trial with suggested values in the inputs named by
   * `space` (other inputs come from `inputs`, wired as for `p.task`), up to `maxTrials`, and gives
   * the best trial's outputs, its parameters (`best.<name>`, typed) and every trial (`trials`).
   */
  tune<
    C extends AnyComponent | AnyPipeline,
    const S extends Record<string, SpaceParam>,
    const In extends LooseInputs<InputsOf<C>> = Record<never, never>,
    const O extends StudySettings['objective'] = StudySettings['objective'],
  >(
    trial: C,
    options: Omit<StudySettings, 'objective'> &
      TaskOptions & { objective: O & CheckObjective<C, O>; space: S & CheckSpace<InputsOf<C>, S>; inputs?: CheckedInputs<Omit<InputsOf<C>, keyof S>, In> },
  ): C extends { readonly kind: 'pipeline' } ? PipelineStudyHandle<C, S> : StudyHandle<C, S>;
  /** A task that runs last whatever the outcome (succeeded, failed, cancelled); use `p.run.*` inputs. */
  onExit<I extends PortMap, O extends PortMap, const In extends LooseInputs<I>, const TO extends TaskOptions = Record<never, never>>(
    component: ComponentDefinition<I, O>,
    inputs: CheckedInputs<I, In>,
    options?: CheckTaskOptions<TO>,
  ): TaskHandle<O>;
}

export interface PipelineOptions<PI extends PortMap> {
  name: string;
  description?: string;
  inputs?: PI;
  /** Editor viewport (the IR's `ui`); ignored by the digest. */
  ui?: PipelineSpec['ui'];
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

/** The pseudo-component standing for a nested pipeline; `nested` lets registries reach its components. */
export type NestedPipelineComponent = AnyComponent & { readonly nested: AnyPipeline };

export function isNestedPipelineComponent(c: AnyComponent): c is NestedPipelineComponent {
  return 'nested' in c;
}

function refFor(binding: Binding, port: PortSpec): AnyRef {
  if (port.kind === 'artifact') {
    return port.list ? { kind: 'artifact', artifactType: port.type, list: true, binding } : { kind: 'artifact', artifactType: port.type, binding };
  }
  return { kind: 'parameter', paramType: port.type, binding };
}

function isRef(value: unknown): value is AnyRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    'binding' in value &&
    ((value as { kind?: unknown }).kind === 'parameter' || (value as { kind?: unknown }).kind === 'artifact')
  );
}

/** A reference or loop item somewhere inside a literal value, described; undefined when there is none. */
function refInside(value: unknown, depth = 0): string | undefined {
  if (depth > 64 || typeof value !== 'object' || value === null) return typeof value === 'function' ? 'a function' : undefined;
  if (isRef(value)) {
    const b = value.binding;
    return 'loopItem' in b ? `a loop item (of "${b.loopItem}")` : 'pipelineInput' in b ? `pipeline input "${b.pipelineInput}"` : 'task' in b ? `output "${b.output}" of task "${b.task}"` : 'a reference';
  }
  if (isLoopOutput(value)) return 'a loop output';
  for (const v of Object.values(value)) {
    const found = refInside(v, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function isLoopOutput(value: unknown): value is LoopOutput<AnyRef> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'loopOutput';
}

/** Fan-in: the loop output's values over the loop's succeeded items, in item order. */
export function collect<N extends string>(output: LoopOutput<ParamRef<N, Presence>>): ParamRef<`list<${N}>`>;
export function collect<N extends string>(output: LoopOutput<ArtifactRef<N, Presence>>): ArtifactListRef<N>;
export function collect(output: LoopOutput<AnyRef>): AnyRef {
  if (!isLoopOutput(output)) throw new DslError('collect() takes an output of a loop (loop.outputs.<name>)');
  const binding: Binding = { collect: { loop: output.loop, output: output.output } };
  const owner = owners.get(output);
  if (owner) owners.set(binding, owner);
  return output.ref.kind === 'artifact'
    ? { kind: 'artifact', artifactType: output.ref.artifactType, list: true, binding }
    : { kind: 'parameter', paramType: `list<${output.ref.paramType}>`, binding };
}

type OneOfOption = ParamRef<string, Presence> | ArtifactRef<string, Presence>;
type LastIndex<Rs extends readonly unknown[]> = Rs extends readonly [...infer H, unknown] ? `${H['length']}` : never;
type KindOf<R> = R extends ArtifactRef<string, Presence> ? 'artifact' : 'parameter';
/**
 * `oneOf()`'s options as given, or, in place of a wrong one, a message (one signature, so tsc
 * names the wrong option instead of "No overload matches this call"): every option but the last
 * must be one that may be absent, and all must be parameters or all artifacts.
 */
type CheckOneOf<Rs extends readonly OneOfOption[]> = { [I in keyof Rs]: OneOfOptionCheck<I, Rs[I], Rs> };
type OneOfOptionCheck<I, R, Rs extends readonly OneOfOption[]> = [KindOf<R>] extends [KindOf<Rs[0]>]
  ? I extends LastIndex<Rs>
    ? R
    : R extends { readonly '~presence'?: 'maybe absent' }
      ? R
      : `✗ oneOf() takes the first option whose task ran; option ${OneBased<I>} always has a value, so the options after it would never be chosen: pass branch outputs (p.when(…).else(…).branches), an always-present fallback last`
  : `✗ oneOf() merges options of one kind; option ${OneBased<I>} is ${KindOf<R> extends 'artifact' ? 'an artifact' : 'a parameter'} and option 1 is not`;
type Tuple<N extends number, Acc extends unknown[] = []> = Acc['length'] extends N ? Acc : Tuple<N, [...Acc, unknown]>;
type OneBased<I> = I extends `${infer N extends number}` ? [...Tuple<N>, unknown]['length'] & number : I & string;
/** What the merged options give: a reference of their type (a union when they differ: the input's check reports it). */
type MergedOf<Rs extends readonly OneOfOption[]> = Rs[0] extends ArtifactRef<string, Presence>
  ? ArtifactRef<Rs[number] extends ArtifactRef<infer N, Presence> ? N : never> & Merged
  : ParamRef<Rs[number] extends ParamRef<infer N, Presence> ? N : never> & Merged;

/**
 * The first of these outputs whose task ran: merges the outputs of exclusive `when` branches
 * (`p.when(…).else(…).branches`). Every option but the last must be one that may be absent (a
 * branch output): an option after one that is always there would never be chosen.
 */
export function oneOf<const Rs extends readonly [OneOfOption, OneOfOption, ...OneOfOption[]]>(...refs: CheckOneOf<Rs>): MergedOf<Rs>;
export function oneOf(...refs: (ParamRef<string, Presence> | ArtifactRef<string, Presence>)[]): AnyRef {
  if (refs.length < 2) throw new DslError('oneOf() takes two or more outputs of exclusive branches');
  const options = refs.map((r) => {
    const b = isRef(r) ? r.binding : undefined;
    if (b && ('task' in b || 'pipelineInput' in b || 'const' in b)) return b;
    throw new DslError('oneOf() takes task outputs or pipeline inputs');
  });
  const binding: Binding = { oneOf: options };
  const owner = options.map((o) => owners.get(o)).find((o) => o !== undefined);
  if (owner) owners.set(binding, owner);
  return { ...(refs[0] as AnyRef), binding };
}

/**
 * A branch output read outside its branch, on purpose: the reading task is skipped when the branch
 * was (nothing else changes; the IR is the same). Without it, a branch output cannot feed a
 * required input: use `oneOf()` to merge the branches instead.
 */
export function ifRan<N extends string>(ref: ParamRef<N, Presence>): ParamRef<N>;
export function ifRan<N extends string>(ref: ArtifactRef<N, Presence>): ArtifactRef<N>;
export function ifRan<N extends string>(ref: ArtifactListRef<N, Presence>): ArtifactListRef<N>;
export function ifRan(ref: AnyRef): AnyRef {
  if (!isRef(ref)) throw new DslError('ifRan() takes a task output');
  return ref;
}

/** Which pipeline made each binding and handle: using one in another pipeline fails at once. */
interface Owner {
  readonly name: string;
}
const owners = new WeakMap<object, Owner>();

interface Scope {
  tasks: Record<string, NodeSpec>;
  /** Conditions in force for nodes added to this scope (from enclosing `when` calls). */
  guards: Expr[];
  group?: string;
  loop?: string;
}

/** The output port specs of a pipeline, from the components its outputs point at. */
function pipelineOutputPorts(spec: PipelineSpec, where: string): Record<string, PortSpec> {
  const out: Record<string, PortSpec> = {};
  for (const [name, b] of Object.entries(spec.outputs)) {
    const task = spec.dag.tasks[b.task];
    const comp = task && 'component' in task ? spec.components[task.component] : undefined;
    const port = task && 'component' in task && comp ? taskOutputPort(task, comp, b.output) : undefined;
    if (!port) throw new DslError(`${where}: nested pipeline "${spec.name}" output "${name}" points at a missing task output`);
    out[name] = port.kind === 'parameter' ? { kind: 'parameter', type: port.type } : { kind: 'artifact', type: port.type };
  }
  return out;
}

/** A pipeline as a component of another: same inputs and outputs, run as a child workflow. */
function nestedComponent(sub: AnyPipeline, where: string): NestedPipelineComponent {
  const spec = sub.spec;
  const comp = defineComponent(
    { name: spec.name, ...(spec.description !== undefined ? { description: spec.description } : {}), category: 'pipeline' },
    { kind: 'pipeline', spec, digest: pipelineDigest(spec) },
    () => {
      throw new NonRetryableError('a nested pipeline runs as a child workflow, never in a worker');
    },
  );
  const full: ComponentSpec = { ...comp.spec, inputs: { ...spec.inputs }, outputs: pipelineOutputPorts(spec, where) };
  return { ...comp, spec: full, nested: sub };
}

/**
 * Declares a pipeline. The IR is validated here: a pipeline that breaks a rule the types could not
 * check throws `PipelineValidationError` (code `invalid-pipeline`) naming each task, port and value.
 *
 * ```ts
 * export default pipeline({ name: 'iris', inputs: { seed: t.int({ default: 42 }) } }, (p) => {
 *   const data = p.task(loadIris, {});
 *   const parts = p.task(split, { data: data.outputs.data, seed: p.inputs.seed });
 *   return { train: parts.outputs.train };
 * });
 * ```
 */
export function pipeline<const PI extends PortMap = Record<never, never>, R extends Record<string, PipelineOutputRef> = Record<never, never>>(
  options: PipelineOptions<PI>,
  build: (p: PipelineBuilder<PI>) => R | void,
): PipelineDefinition<PI, OutputsOf<R>> {
  const where = `pipeline "${options.name}"`;
  if (!NAME_PATTERN.test(options.name)) {
    throw new DslError(`${where}: invalid name; use letters, digits, "-" and "_", starting with a letter`);
  }
  const inputSpecs = Object.fromEntries(Object.entries(options.inputs ?? {}).map(([k, p]) => [k, p.spec]));
  const topTasks: Record<string, NodeSpec> = {};
  const allIds = new Set<string>();
  const components = new Map<string, AnyComponent>();
  const refByDigest = new Map<string, string>();
  const scopes: Scope[] = [{ tasks: topTasks, guards: [] }];
  const self: Owner = { name: options.name };
  const own = <T extends object>(value: T): T => {
    owners.set(value, self);
    return value;
  };
  /** A reference made by another pipeline() call: its ids mean nothing here (or, worse, another task). */
  const foreign = (value: object, what: string): void => {
    const owner = owners.get(value);
    if (owner !== undefined && owner !== self) {
      throw new DslError(`${what} comes from pipeline "${owner.name}", not this one; a pipeline can only use its own tasks, inputs and loop items`);
    }
  };
  const checkBinding = (b: Binding, what: string): void => {
    foreign(b, what);
    if ('oneOf' in b) for (const o of b.oneOf) foreign(o, what);
  };
  let groupCounter = 0;
  const current = (): Scope => scopes[scopes.length - 1] as Scope;

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

  const newId = (requested: string | undefined, base: string): string => {
    if (requested !== undefined) {
      if (allIds.has(requested)) throw new DslError(`${where}: two tasks have the id "${requested}"; give one of them another id`);
      allIds.add(requested);
      return requested;
    }
    let id = base;
    for (let n = 2; allIds.has(id); n++) id = `${base}-${n}`;
    allIds.add(id);
    return id;
  };

  /** Common node fields: guard from enclosing `when`s (and its own), `after`, editor data. */
  const decorate = (node: NodeSpec, opts: { after?: readonly NodeHandle[]; label?: string; when?: WhenCondition; ui?: NodeUi }): void => {
    const scope = current();
    const guards = opts.when ? [...scope.guards, guardOf(opts.when, `${where}, when`)] : scope.guards;
    if (guards.length === 1) node.when = guards[0];
    else if (guards.length > 1) node.when = { op: 'and', args: [...guards] };
    if (opts.after?.length) node.after = opts.after.map((h) => h.id);
    const ui: NonNullable<NodeSpec['ui']> = {};
    if (opts.label !== undefined) ui.label = opts.label;
    if (scope.group !== undefined) ui.group = scope.group;
    // Explicit editor data wins over the derived label/group; undefined fields are left out.
    for (const [key, value] of Object.entries(opts.ui ?? {}) as [keyof NodeUi, NodeUi[keyof NodeUi]][]) {
      if (value !== undefined) Object.assign(ui, { [key]: value });
    }
    if (Object.keys(ui).length > 0 || opts.ui !== undefined) node.ui = ui;
  };

  const bindingsOf = (inputs: Record<string, unknown>, taskWhere: string): Record<string, Binding> => {
    const bindings: Record<string, Binding> = {};
    for (const [port, value] of Object.entries(inputs)) {
      if (value === undefined) continue;
      const what = `${taskWhere}, input "${port}"`;
      if (isLoopOutput(value)) {
        throw new DslError(`${what}: a loop output has one value per item; wrap it in collect(...)`);
      }
      if (isRef(value)) {
        checkBinding(value.binding, what);
        bindings[port] = value.binding;
      } else {
        const inner = refInside(value);
        if (inner) {
          throw new DslError(
            `${what}: the literal holds ${inner} at ${JSON.stringify(value, (_k, v: unknown) => (isRef(v) ? '<reference>' : v))}; a literal is fixed when the pipeline is defined, so it cannot contain task outputs, pipeline inputs or loop items — pass the reference itself to a port of its type`,
          );
        }
        bindings[port] = { const: value as Json };
      }
    }
    return bindings;
  };
  const afterIds = (after: readonly NodeHandle[] | undefined, nodeWhere: string): void => {
    for (const h of after ?? []) foreign(h, `${nodeWhere}, after "${h.id}"`);
  };

  const addTask = (
    target: AnyComponent | AnyPipeline,
    inputs: Record<string, unknown>,
    opts: TaskOptions,
    exitHandler: boolean,
  ): { id: string; outputs: Record<string, AnyRef> } => {
    let comp: AnyComponent;
    if (isPipeline(target)) comp = nestedComponent(target, where);
    else if (isComponent(target)) comp = target;
    else throw new DslError(`${where}: p.task() needs a component made with component() or a pipeline made with pipeline()`);
    const id = newId(opts.id, comp.spec.name);
    const taskWhere = `${where}, task "${id}"`;
    afterIds(opts.after, taskWhere);
    const spec: TaskSpec = {
      component: componentRef(comp),
      inputs: bindingsOf(inputs, taskWhere),
      ...toExecutionOptions(opts, taskWhere),
    };
    if (exitHandler) spec.exitHandler = true;
    decorate(spec, opts);
    current().tasks[id] = spec;
    const outputs = Object.fromEntries(Object.entries(comp.spec.outputs).map(([k, port]) => [k, refFor(own({ task: id, output: k }), port)]));
    return own({ id, outputs });
  };

  /** A study's default id: "tune-<component>" (suffixed when repeated). */
  const newStudyId = (c: AnyComponent): string => {
    let id = `tune-${c.spec.name}`;
    for (let n = 2; allIds.has(id); n++) id = `tune-${c.spec.name}-${n}`;
    return id;
  };

  const runRef = (field: 'status' | 'error' | 'failedTask'): ParamRef<'string'> => ({ kind: 'parameter', paramType: 'string', binding: own({ runStatus: field }) });
  /** `p.when(flag)` is `p.when(eq(flag, true))`. */
  const guardOf = (condition: WhenCondition, what: string): Expr => {
    if (isRef(condition)) {
      checkBinding(condition.binding, what);
      const ref = condition as AnyRef;
      if (ref.kind !== 'parameter' || ref.paramType !== 'bool') {
        throw new DslError(`${what}: a condition is eq(…), gt(…), … or a bool parameter; this is ${ref.kind === 'artifact' ? `an artifact (${ref.artifactType})` : `a ${ref.paramType} parameter`}`);
      }
      return { op: 'eq', left: condition.binding as Operand, right: { const: true } };
    }
    if (typeof condition !== 'object' || condition === null || !('expr' in condition)) {
      throw new DslError(`${what}: a condition is eq(…), gt(…), … or a bool parameter`);
    }
    return condition.expr;
  };

  const branch = <R>(guard: Expr, group: string, body: () => R): R => {
    const outer = current();
    scopes.push({ ...outer, guards: [...outer.guards, guard], group });
    try {
      return body();
    } finally {
      scopes.pop();
    }
  };

  const chain = <Rs extends unknown[]>(previous: Expr[], groupId: number, branches: Rs): ConditionChain<Rs> => ({
    branches,
    elseIf<R>(condition: WhenCondition, body: () => R) {
      const expr = guardOf(condition, `${where}, elseIf()`);
      const guard: Expr = { op: 'and', args: [...previous.map((e): Expr => ({ op: 'not', arg: e })), expr] };
      const value = branch(guard, `when-${groupId}.${branches.length}`, body);
      return chain<[...Rs, R]>([...previous, expr], groupId, [...branches, value]);
    },
    else<R>(body: () => R) {
      const guard: Expr = previous.length === 1 ? { op: 'not', arg: previous[0] as Expr } : { op: 'not', arg: { op: 'or', args: previous } };
      const value = branch(guard, `when-${groupId}.else`, body);
      return { branches: [...branches, value] as BranchValues<[...Rs, R]> };
    },
  }) as ConditionChain<Rs>;

  const builder: PipelineBuilder<PI> = {
    inputs: Object.fromEntries(Object.entries(inputSpecs).map(([k, spec]) => [k, refFor(own({ pipelineInput: k }), spec)])) as OutputRefs<PI>,
    run: { status: runRef('status'), error: runRef('error'), failedTask: runRef('failedTask') },
    task(target: AnyComponent | AnyPipeline, inputs: Record<string, unknown>, opts: TaskOptions = {}) {
      return addTask(target, inputs, opts, false);
    },
    onExit(comp: AnyComponent, inputs: Record<string, unknown>, opts: TaskOptions = {}) {
      if (scopes.length > 1) throw new DslError(`${where}: p.onExit() must be called at the top level of the pipeline, not inside when() or forEach()`);
      return addTask(comp, inputs, opts, true);
    },
    tune(target: AnyComponent | AnyPipeline, options: StudySettings & TaskOptions & { space: Record<string, SpaceParam>; inputs?: Record<string, unknown> }) {
      if (!isPipeline(target) && !isComponent(target)) throw new DslError(`${where}: p.tune() needs a component made with component() or a pipeline made with pipeline() as its trial`);
      const trialComp = isPipeline(target) ? nestedComponent(target, where) : target;
      const space = Object.fromEntries(Object.entries(options.space ?? {}).map(([k, v]) => [k, v.spec]));
      const algorithm = typeof options.algorithm === 'string' ? { name: options.algorithm } : (options.algorithm ?? { name: 'random' as const });
      // Schema order (metric, task, goal), whatever order the author wrote.
      const { metric, task: objectiveTask, goal } = options.objective;
      const objective: TuneSpec['objective'] = { metric, ...(objectiveTask !== undefined ? { task: objectiveTask } : {}), goal };
      const tuneSpec: TuneSpec = { space, objective, algorithm: algorithm, maxTrials: options.maxTrials };
      if (options.parallelTrials !== undefined) tuneSpec.parallelTrials = options.parallelTrials;
      if (options.maxFailedTrials !== undefined) tuneSpec.maxFailedTrials = options.maxFailedTrials;
      if (options.earlyStopping !== undefined) tuneSpec.earlyStopping = { ...options.earlyStopping };
      if (options.seed !== undefined) tuneSpec.seed = options.seed;
      const { space: _s, inputs, objective: _o, algorithm: _a, maxTrials: _m, parallelTrials: _p, maxFailedTrials: _f, earlyStopping: _e, seed: _seed, ...taskOptions } = options;
      const handle = addTask(target, inputs ?? {}, { ...taskOptions, id: options.id ?? newStudyId(trialComp) }, false);
      const node = current().tasks[handle.id] as TaskSpec;
      // Schema order: the study block sits after the inputs (codegen writes it back the same way).
      node.tune = tuneSpec;
      for (const [k, port] of Object.entries(TUNE_OUTPUTS)) handle.outputs[k] = refFor(own({ task: handle.id, output: k }), port);
      const best: Record<string, AnyRef> = {};
      for (const k of Object.keys(space)) {
        const port = trialComp.spec.inputs[k];
        best[k] = { kind: 'parameter', paramType: port?.kind === 'parameter' ? port.type : 'json', binding: own({ task: handle.id, output: `best.${k}` }) };
      }
      return own({ ...handle, best }) as never;
    },
    when<R>(condition: WhenCondition, body: () => R): ConditionChain<[R]> {
      const expr = guardOf(condition, `${where}, when()`);
      const groupId = ++groupCounter;
      const value = branch(expr, `when-${groupId}.0`, body);
      return chain<[R]>([expr], groupId, [value]);
    },
    forEach(items: unknown, body: (item: never) => unknown, opts: LoopOptions = {}) {
      const id = newId(opts.id, 'for-each');
      const loopWhere = `${where}, loop "${id}"`;
      let itemsBinding: Binding;
      afterIds(opts.after, loopWhere);
      if (Array.isArray(items)) {
        const inner = refInside(items);
        if (inner) throw new DslError(`${loopWhere}: the literal item list holds ${inner}; loop over a list output or pipeline input instead`);
        itemsBinding = { const: items as Json[] };
      } else if (isRef(items) && items.kind === 'parameter') {
        checkBinding(items.binding, `${loopWhere}, items`);
        itemsBinding = items.binding;
      } else throw new DslError(`${loopWhere}: forEach() loops over a list: a literal array or a list parameter (pipeline input or task output)`);
      if ('collect' in itemsBinding || 'oneOf' in itemsBinding || 'runStatus' in itemsBinding) {
        throw new DslError(`${loopWhere}: forEach() items must be a literal list, a pipeline input, a task output or an outer loop's item`);
      }
      if (opts.parallelism !== undefined && (!Number.isInteger(opts.parallelism) || opts.parallelism < 1)) {
        throw new DslError(`${loopWhere}: parallelism must be a positive integer (got ${opts.parallelism})`);
      }
      if (opts.minSuccessRatio !== undefined && !(opts.minSuccessRatio >= 0 && opts.minSuccessRatio <= 1)) {
        throw new DslError(`${loopWhere}: minSuccessRatio must be between 0 and 1 (got ${opts.minSuccessRatio})`);
      }
      const listType = Array.isArray(items) ? literalType(items) : isRef(items) && items.kind === 'parameter' ? items.paramType : 'json';
      const itemType = /^list<(.*)>$/.exec(listType)?.[1] ?? 'json';
      const literalItems = Array.isArray(items) ? (items as Json[]) : undefined;
      const item = {
        kind: 'parameter' as const,
        paramType: itemType,
        binding: own({ loopItem: id }),
        field: (key: string, as?: string) => {
          // Over a literal list of records the field's type comes from the values (as the types say).
          const type = as ?? (literalItems ? literalType(literalItems.map((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v[key] : undefined)).filter((v) => v !== undefined)).replace(/^list<(.*)>$/, '$1') : undefined);
          if (type === undefined) throw new DslError(`${loopWhere}: item.field("${key}") needs a type here: item.field("${key}", 'float')`);
          return { kind: 'parameter' as const, paramType: type, binding: own({ loopItem: id, field: key, as: type }) };
        },
      };
      const bodyTasks: Record<string, NodeSpec> = {};
      const node: NodeSpec = {
        loop: {
          items: itemsBinding,
          tasks: bodyTasks,
          outputs: {},
        },
      };
      if (opts.parallelism !== undefined) node.loop.parallelism = opts.parallelism;
      if (opts.minSuccessRatio !== undefined) node.loop.minSuccessRatio = opts.minSuccessRatio;
      decorate(node, opts);
      current().tasks[id] = node;
      scopes.push({ tasks: bodyTasks, guards: [], loop: id });
      let returned: unknown;
      try {
        returned = body(item as never);
      } finally {
        scopes.pop();
      }
      const outputs: Record<string, LoopOutput<AnyRef>> = {};
      // A body written as one expression returns its task's handle: no loop outputs.
      const isHandle = typeof returned === 'object' && returned !== null && owners.get(returned) === self;
      for (const [name, ref] of Object.entries((isHandle ? {} : (returned ?? {})) as Record<string, unknown>)) {
        if (!isRef(ref) || !('task' in ref.binding) || !(ref.binding.task in bodyTasks)) {
          throw new DslError(`${loopWhere}: body output "${name}" must be an output of a task in the loop body`);
        }
        node.loop.outputs[name] = { task: ref.binding.task, output: ref.binding.output };
        outputs[name] = own({ kind: 'loopOutput', loop: id, output: name, ref });
      }
      return own({ id, outputs }) as never;
    },
  } as PipelineBuilder<PI>;

  const result = build(builder) ?? {};
  const outputs: PipelineSpec['outputs'] = {};
  for (const [name, ref] of Object.entries(result)) {
    if (!isRef(ref) || !('task' in ref.binding)) {
      throw new DslError(`${where}: output "${name}" must be a task output (e.g. someTask.outputs.model)`);
    }
    checkBinding(ref.binding, `${where}, output "${name}"`);
    outputs[name] = { task: ref.binding.task, output: ref.binding.output };
  }

  const spec: PipelineSpec = {
    apiVersion: API_VERSION,
    name: options.name,
    inputs: inputSpecs,
    outputs,
    components: Object.fromEntries([...components].map(([ref, c]) => [ref, c.spec])),
    dag: { tasks: topTasks },
  };
  if (options.description !== undefined) spec.description = options.description;
  if (options.ui !== undefined) spec.ui = options.ui;
  // The validator runs here, not only in compile(): importing a pipeline module (tsx, the CLI, a
  // test, the editor's codegen check) then fails at once with every problem named, before anything
  // runs. The spec is kept as built; compile() validates again after filling impl.module.
  const checked = validatePipeline(spec);
  if (!checked.ok) throw new PipelineValidationError(checked.issues);
  return { kind: 'pipeline', name: options.name, spec, components };
}
