/**
 * Port declarations (`t.int()`, `t.Dataset()`, …). Each is a runtime value carrying its IR
 * `PortSpec` and, as phantom types, what flows through it: the TS value type, the IR type name and
 * whether a task must set it. Wiring and `run` signatures are computed from these phantoms.
 */
import type { ArtifactPortSpec, Binding, ParameterPortSpec } from './ir/schema';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

declare const phantom: unique symbol;

export interface ParamPort<T, N extends string, Req extends boolean, Def extends boolean = boolean> {
  readonly spec: ParameterPortSpec;
  readonly [phantom]?: { value: T; type: N; required: Req; defaulted: Def };
}

export interface ArtifactPort<N extends string, Req extends boolean, L extends boolean = false> {
  readonly spec: ArtifactPortSpec;
  readonly [phantom]?: { type: N; required: Req; list: L };
}

export type AnyPort = ParamPort<unknown, string, boolean> | ArtifactPort<string, boolean, boolean>;
export type PortMap = Record<string, AnyPort>;

interface PortOptions {
  description?: string;
}
interface ParamOptions<T> extends PortOptions {
  default?: T;
  optional?: boolean;
}
/** A port a task may leave unset: it has a default, or is declared optional. */
type ParamReq<O> = O extends { default: unknown } ? false : O extends { optional: true } ? false : true;

function param<T, N extends string>(type: N) {
  return <const O extends ParamOptions<T> = Record<never, never>>(
    options?: O,
  ): ParamPort<T, N, ParamReq<O>, O extends { default: unknown } ? true : false> => {
    const spec: ParameterPortSpec = { kind: 'parameter', type };
    if (options?.description !== undefined) spec.description = options.description;
    if (options?.default !== undefined) spec.default = options.default as ParameterPortSpec['default'];
    if (options?.optional) spec.optional = true;
    return { spec };
  };
}

function artifact<N extends string>(type: N) {
  return <const O extends PortOptions & { optional?: boolean } = Record<never, never>>(
    options?: O,
  ): ArtifactPort<N, O extends { optional: true } ? false : true> => {
    const spec: ArtifactPortSpec = { kind: 'artifact', type };
    if (options?.description !== undefined) spec.description = options.description;
    if (options?.optional) spec.optional = true;
    return { spec };
  };
}

/** Options of `t.enum()`: those of a string parameter, plus `typeOnly`. */
interface EnumOptions<V extends string> extends ParamOptions<V> {
  /**
   * Check the values with tsc only and keep a plain `string` port in the IR: for components whose
   * IR (and so the digests of pipelines using them) must not change. The component still checks
   * the value when it runs.
   */
  typeOnly?: boolean;
}

/**
 * `t.enum(['relu', 'tanh'], { default: 'relu' })`: a string parameter that takes one of these
 * values. The IR records them (`"enum": [...]`) so the validator checks literals and defaults too.
 */
function enumPort<const V extends readonly [string, ...string[]], const O extends EnumOptions<V[number]> = Record<never, never>>(
  values: V,
  options?: O,
): ParamPort<V[number], 'string', ParamReq<O>, O extends { default: unknown } ? true : false> {
  const port = param<V[number], 'string'>('string')(options);
  if (!options?.typeOnly) port.spec.enum = [...values];
  return port;
}

/** A duration as text: "500ms", "30s", "5m", "2h", "1d". */
export type DurationText = `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

type ItemOf<P> = P extends ParamPort<infer T, infer N, boolean> ? { value: T; type: N } : never;

function listPort<P extends ParamPort<unknown, string, boolean>, const O extends ParamOptions<ItemOf<P>['value'][]> = Record<never, never>>(
  item: P,
  options?: O,
): ParamPort<ItemOf<P>['value'][], `list<${ItemOf<P>['type']}>`, ParamReq<O>, O extends { default: unknown } ? true : false>;
function listPort<N extends string, const O extends PortOptions & { optional?: boolean } = Record<never, never>>(
  item: ArtifactPort<N, boolean>,
  options?: O,
): ArtifactPort<N, O extends { optional: true } ? false : true, true>;
function listPort(item: AnyPort, options?: ParamOptions<unknown>): AnyPort {
  if (item.spec.kind === 'artifact') {
    const spec: ArtifactPortSpec = { kind: 'artifact', type: item.spec.type, list: true };
    if (options?.description !== undefined) spec.description = options.description;
    if (options?.optional) spec.optional = true;
    return { spec };
  }
  return param(`list<${item.spec.type}>`)(options);
}

/** Port type constructors. Parameters carry JSON values; artifacts carry files. */
export const t = {
  string: param<string, 'string'>('string'),
  int: param<number, 'int'>('int'),
  float: param<number, 'float'>('float'),
  bool: param<boolean, 'bool'>('bool'),
  json: param<Json, 'json'>('json'),
  enum: enumPort,
  /** A string parameter holding a duration ("30m", "2d"); tsc checks literals, the IR keeps `string`. */
  duration: param<DurationText, 'string'>('string'),
  /**
   * `t.list(t.float())` → `list<float>`; options as for any parameter: `t.list(t.int(), { default: [] })`.
   * `t.list(t.Model())` → an input taking a list of artifacts (what `collect()` of a loop gives).
   */
  list: listPort,
  Dataset: artifact('Dataset'),
  Model: artifact('Model'),
  Metrics: artifact('Metrics'),
  ClassificationMetrics: artifact('ClassificationMetrics'),
  HTML: artifact('HTML'),
  Markdown: artifact('Markdown'),
  /** An artifact of any type (as an input it accepts every artifact). */
  Artifact: artifact('Artifact'),
  /** A user-defined artifact type: `t.artifact('Tokenizer')()`. Names are PascalCase. */
  artifact: <N extends string>(type: N) => artifact(type),
};

// ---- What flows along edges -------------------------------------------------------------


/**
 * Whether a reference always carries a value when its reader runs: `'maybe absent'` for optional
 * outputs, optional pipeline inputs without a default and outputs of `p.when` branches (their task
 * may be skipped). Required inputs take only `'always'`.
 */
export type Presence = 'always' | 'maybe absent';

/**
 * Phantom, string-keyed and optional on purpose: a reference is then no `Json` value, so putting one
 * inside a literal (`{ config: { lr: p.inputs.lr } }`) is a type error instead of embedding the
 * reference object in the IR.
 */
interface RefPhantom<P extends Presence> {
  readonly '~presence'?: P;
}

export interface ParamRef<N extends string, P extends Presence = 'always'> extends RefPhantom<P> {
  readonly kind: 'parameter';
  /** The parameter type of the source, e.g. "int". */
  readonly paramType: N;
  readonly binding: Binding;
}
export interface ArtifactRef<N extends string, P extends Presence = 'always'> extends RefPhantom<P> {
  readonly kind: 'artifact';
  /** The artifact type of the source, e.g. "Dataset". */
  readonly artifactType: N;
  readonly list?: false;
  readonly binding: Binding;
}
/** Several artifacts of one type: `collect()` over a loop's artifact output. */
export interface ArtifactListRef<N extends string, P extends Presence = 'always'> extends RefPhantom<P> {
  readonly kind: 'artifact';
  readonly artifactType: N;
  readonly list: true;
  readonly binding: Binding;
}

/** The same reference, as one that may have no value (a branch output). */
export type MaybeAbsent<R> = R extends ParamRef<infer N, Presence>
  ? ParamRef<N, 'maybe absent'>
  : R extends ArtifactListRef<infer N, Presence>
    ? ArtifactListRef<N, 'maybe absent'>
    : R extends ArtifactRef<infer N, Presence>
      ? ArtifactRef<N, 'maybe absent'>
      : R;

/** The reference an output port (or a pipeline input) produces. */
export type RefOf<P> = P extends ParamPort<unknown, infer N, infer Req, infer Def>
  ? ParamRef<N, Req extends true ? 'always' : Def extends true ? 'always' : 'maybe absent'>
  : P extends ArtifactPort<infer N, infer Req, infer L>
    ? L extends true
      ? ArtifactListRef<N, Req extends true ? 'always' : 'maybe absent'>
      : ArtifactRef<N, Req extends true ? 'always' : 'maybe absent'>
    : never;

/** Parameter refs a port of type N accepts: int widens to float; json takes any parameter. */
type AcceptedParamRef<N extends string, P extends Presence> = N extends 'json'
  ? ParamRef<string, P>
  : N extends 'float'
    ? ParamRef<'float' | 'int', P>
    : N extends `list<float>`
      ? ParamRef<'list<float>' | 'list<int>', P>
      : ParamRef<N, P>;

/** What a task may pass to an input port: a matching reference, or (for parameters) a literal. */
export type InputValue<P> = P extends ParamPort<infer T, infer N, infer Req>
  ? T | AcceptedParamRef<N, Req extends true ? 'always' : Presence>
  : P extends ArtifactPort<infer N, infer Req, infer L>
    ? L extends true
      ? ArtifactListRef<N extends 'Artifact' ? string : N, Req extends true ? 'always' : Presence>
      : ArtifactRef<N extends 'Artifact' ? string : N, Req extends true ? 'always' : Presence>
    : never;

type RequiredKeys<I extends PortMap> = {
  [K in keyof I]: I[K] extends ParamPort<unknown, string, true> | ArtifactPort<string, true, boolean> ? K : never;
}[keyof I];
type OptionalKeys<I extends PortMap> = Exclude<keyof I, RequiredKeys<I>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The inputs object of a task: required ports must be set, optional ones may be. */
export type TaskInputs<I extends PortMap> = Simplify<
  { [K in RequiredKeys<I>]: InputValue<I[K]> } & { [K in OptionalKeys<I>]?: InputValue<I[K]> }
>;

// ---- Wiring messages ------------------------------------------------------------------------
// `p.task()` infers the inputs object and checks each value here, so a wrong value's expected type
// is a sentence ("✗ input 'model' takes a Model artifact; this is a Dataset artifact"): the first
// line tsc prints says the problem, instead of two structural types side by side.

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer X) => void ? X : never;
type LastOf<U> = UnionToIntersection<U extends unknown ? () => U : never> extends () => infer L ? L : never;
/** `"a" | "b"` → `'a', 'b'` (for short unions: the values of an enum port, the names of inputs; single quotes, which tsc prints unescaped). */
export type JoinQuoted<U, Acc extends string = ''> = [U] extends [never]
  ? Acc
  : LastOf<U> extends infer L extends string
    ? JoinQuoted<Exclude<U, L>, Acc extends '' ? `'${L}'` : `'${L}', ${Acc}`>
    : Acc;

type Vowel = 'a' | 'e' | 'i' | 'o' | 'u' | 'A' | 'E' | 'I' | 'O' | 'U';
/** "a Model", "an int". */
type An<N extends string> = N extends `${Vowel}${string}` ? `an ${N}` : `a ${N}`;
/** `"Model" | "Metrics"` → `Model or Metrics` (a union reads as one phrase, not one message per member). */
type Or<U, Acc extends string = ''> = [U] extends [never]
  ? Acc
  : LastOf<U> extends infer L extends string
    ? Or<Exclude<U, L>, Acc extends '' ? L : `${L} or ${Acc}`>
    : Acc;
type MayBeAbsent<P> = 'maybe absent' extends P ? ' that may be absent' : '';
/** What a value passed to an input is, in words. */
type Describe<V> = V extends { readonly kind: 'loopOutput' }
  ? 'a loop output (one value per item): wrap it in collect(…)'
  : V extends ArtifactListRef<infer N, infer P>
    ? `a list of ${Or<N>} artifacts${MayBeAbsent<P>}`
    : V extends ArtifactRef<infer N, infer P>
      ? `${An<Or<N>>} artifact${MayBeAbsent<P>}`
      : V extends ParamRef<infer N, infer P>
        ? `${An<Or<N>>} parameter${MayBeAbsent<P>}`
        : V extends string
          ? string extends V
            ? 'a string'
            : `'${V}'`
          : V extends number
            ? 'a number'
            : V extends boolean
              ? 'a boolean'
              : Mutable<V> extends Json
                ? V extends readonly unknown[]
                  ? 'a list'
                  : 'an object'
                : 'a literal holding a reference (a literal is fixed when the pipeline is defined): pass the reference itself to a port of its type';
/** What an input port takes, in words. */
type Wants<P> = P extends ParamPort<infer T, infer N, boolean>
  ? N extends 'string'
    ? string extends T
      ? 'a string parameter'
      : [T] extends [DurationText]
        ? "a duration such as '30s', '5m', '2h' or '1d'"
        : `one of ${JoinQuoted<T>}`
    : `${An<N>} parameter`
  : P extends ArtifactPort<infer N, boolean, infer L>
    ? L extends true
      ? `a list of ${N extends 'Artifact' ? '' : `${N} `}artifacts (collect(…) of a loop output)`
      : N extends 'Artifact'
        ? 'an artifact (any type)'
        : `${An<N>} artifact`
    : never;

type IsRequired<P> = P extends ParamPort<unknown, string, true> | ArtifactPort<string, true, boolean> ? true : false;
/** The same reference, had it always a value. */
type Present<V> = V extends ParamRef<infer N, Presence>
  ? ParamRef<N>
  : V extends ArtifactListRef<infer N, Presence>
    ? ArtifactListRef<N>
    : V extends ArtifactRef<infer N, Presence>
      ? ArtifactRef<N>
      : V;

type WiringProblem<K extends string, P, V> =
  IsRequired<P> extends true
    ? [Present<V>] extends [InputValue<P>]
      ? `✗ input '${K}' needs a value, but this is ${Describe<V>} (an optional output or input, or a branch output): merge branches with oneOf(…), accept a skip with ifRan(…), or make the input optional`
      : `✗ input '${K}' takes ${Wants<P>}; this is ${Describe<V>}`
    : `✗ input '${K}' takes ${Wants<P>}; this is ${Describe<V>}`;

/**
 * The inputs object `p.task()` takes, given what was passed (`In`): each value that fits keeps its
 * type, a wrong one expects a message; an unknown name expects one too; missing required inputs
 * are listed by the intersection.
 */
export type CheckedInputs<I extends PortMap, In> = [Exclude<RequiredKeys<I>, keyof In>] extends [never]
  ? {
      [K in keyof In]: K extends keyof I
        ? [Mutable<In[K]>] extends [InputValue<I[K]> | (IsRequired<I[K]> extends true ? never : undefined)]
          ? In[K]
          : WiringProblem<K & string, I[K], In[K]>
        : `✗ '${K & string}' is not an input here; the inputs are ${JoinQuoted<keyof I & string>}`;
    }
  : `✗ required input${Plural<Exclude<RequiredKeys<I>, keyof In>>} ${JoinQuoted<Exclude<RequiredKeys<I>, keyof In> & string>} not set: connect an output or give a value`;
type Plural<U> = [U] extends [LastOf<U>] ? '' : 's';

/** A literal as `const` inference sees it (readonly tuples and objects), as the port types spell it. */
type Mutable<V> = V extends ParamRef<string, Presence> | ArtifactRef<string, Presence> | ArtifactListRef<string, Presence>
  ? V
  : V extends readonly (infer E)[]
    ? Mutable<E>[]
    : V extends object
      ? { -readonly [K in keyof V]: Mutable<V[K]> }
      : V;

/** What `p.task()` lets TS infer the inputs object as: anything a port could take, checked after. */
export type LooseInputs<I extends PortMap> = { [K in keyof I]?: unknown } & Record<string, unknown>;

export type OutputRefs<O extends PortMap> = { readonly [K in keyof O]: RefOf<O[K]> };

/** The value a parameter port carries at run time. */
export type ParamValue<P> = P extends ParamPort<infer T, string, infer Req, infer Def>
  ? Req extends true
    ? T
    : Def extends true
      ? T
      : T | undefined
  : never;

export type ParamKeys<M extends PortMap> = {
  [K in keyof M]: M[K] extends ParamPort<unknown, string, boolean> ? K : never;
}[keyof M];
export type ArtifactKeys<M extends PortMap> = {
  [K in keyof M]: M[K] extends ArtifactPort<string, boolean, boolean> ? K : never;
}[keyof M];
