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
