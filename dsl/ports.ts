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


export interface ParamRef<N extends string> {
  readonly kind: 'parameter';
  /** The parameter type of the source, e.g. "int". */
  readonly paramType: N;
  readonly binding: Binding;
}
export interface ArtifactRef<N extends string> {
  readonly kind: 'artifact';
  /** The artifact type of the source, e.g. "Dataset". */
  readonly artifactType: N;
  readonly list?: false;
  readonly binding: Binding;
}
/** Several artifacts of one type: `collect()` over a loop's artifact output. */
export interface ArtifactListRef<N extends string> {
  readonly kind: 'artifact';
  readonly artifactType: N;
  readonly list: true;
  readonly binding: Binding;
}

/** The reference an output port produces. */
export type RefOf<P> = P extends ParamPort<unknown, infer N, boolean>
  ? ParamRef<N>
  : P extends ArtifactPort<infer N, boolean, infer L>
    ? L extends true
      ? ArtifactListRef<N>
      : ArtifactRef<N>
    : never;

/** Parameter refs a port of type N accepts: int widens to float; json takes any parameter. */
type AcceptedParamRef<N extends string> = N extends 'json'
  ? ParamRef<string>
  : N extends 'float'
    ? ParamRef<'float' | 'int'>
    : N extends `list<float>`
      ? ParamRef<'list<float>' | 'list<int>'>
      : ParamRef<N>;

/** What a task may pass to an input port: a matching reference, or (for parameters) a literal. */
export type InputValue<P> = P extends ParamPort<infer T, infer N, boolean>
  ? T | AcceptedParamRef<N>
  : P extends ArtifactPort<infer N, boolean, infer L>
    ? L extends true
      ? N extends 'Artifact'
        ? ArtifactListRef<string>
        : ArtifactListRef<N>
      : N extends 'Artifact'
        ? ArtifactRef<string>
        : ArtifactRef<N>
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
