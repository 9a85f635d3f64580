/**
 * Search-space builders for `p.tune(...)` and the types that check a space against the trial
 * component's inputs: a float distribution on an int input, a choice whose values do not fit, a
 * name that is no input are type errors whose first line says what is wrong (as in checks.ts).
 */
import { DslError } from './errors';
import type { EarlyStopping, SearchParam, TuneAlgorithm } from './ir/tuneSpace';
import type { JoinQuoted, ParamPort, ParamRef, PortMap, Presence } from './ports';

type Scalar = string | number | boolean;
declare const spaceValue: unique symbol;

/** What a distribution draws, for the type checks: floats, integers, or one of listed values. */
export type SpaceKind = 'float' | 'int' | 'choice';

/** One search parameter: its IR (`spec`) and, as phantom types, what kind of values it draws. */
export interface SpaceParam<K extends SpaceKind = SpaceKind, V = unknown> {
  readonly spec: SearchParam;
  readonly [spaceValue]?: { kind: K; value: V };
}

export interface ConditionOption {
  /** The parameter exists only when this earlier `choice` parameter takes one of `in`. */
  when?: { param: string; in: readonly Scalar[] };
}

type Str<N> = N extends number ? `${N}` : '';
type NotPositive<N> = number extends N ? false : Str<N> extends `-${string}` | '0' ? true : false;

function withWhen<P extends SearchParam>(p: P, options: ConditionOption | undefined): P {
  if (options?.when) p.when = { param: options.when.param, in: [...options.when.in] };
  return p;
}

function finite(what: string, ...values: (number | undefined)[]): void {
  for (const v of values) if (v !== undefined && !Number.isFinite(v)) throw new DslError(`tune.${what}(): bounds and steps must be finite numbers; got ${v}`);
}

/** Search-space builders: `tune.uniform(0, 1)`, `tune.logUniform(1e-4, 1e-1)`, `tune.intRange(1, 4)`, `tune.choice(['relu', 'tanh'])`. */
export const tune = {
  /** A float drawn uniformly from [low, high]; `step` makes it discrete. */
  uniform(low: number, high: number, options?: ConditionOption & { step?: number }): SpaceParam<'float', number> {
    finite('uniform', low, high, options?.step);
    const spec: SearchParam = { type: 'uniform', low, high };
    if (options?.step !== undefined) spec.step = options.step;
    return { spec: withWhen(spec, options) };
  },
  /** A float drawn log-uniformly from [low, high]; both bounds must be above 0. */
  logUniform<const L extends number>(
    low: NotPositive<L> extends true ? `✗ tune.logUniform() needs a positive low bound (a log scale has no 0 or negatives); got ${L}` : L,
    high: number,
    options?: ConditionOption,
  ): SpaceParam<'float', number> {
    finite('logUniform', low as number, high);
    return { spec: withWhen({ type: 'logUniform', low: low as number, high }, options) };
  },
  /** An integer in [low, high] (inclusive) on a grid of `step` (default 1), optionally log-scaled. */
  intRange(low: number, high: number, options?: ConditionOption & { step?: number; log?: boolean }): SpaceParam<'int', number> {
    finite('intRange', low, high, options?.step);
    if (!Number.isInteger(low) || !Number.isInteger(high) || (options?.step !== undefined && !Number.isInteger(options.step))) {
      throw new DslError(`tune.intRange(${low}, ${high}): bounds and step must be integers; use tune.uniform() for floats`);
    }
    const spec: SearchParam = { type: 'intRange', low, high };
    if (options?.step !== undefined) spec.step = options.step;
    if (options?.log !== undefined) spec.log = options.log;
    return { spec: withWhen(spec, options) };
  },
  /** One of these values (categorical: no order between them). */
  choice<const V extends readonly [Scalar, ...Scalar[]]>(values: V, options?: ConditionOption): SpaceParam<'choice', V[number]> {
    return { spec: withWhen({ type: 'choice', values: [...values] }, options) };
  },
};

type IsIntLiteral<V> = V extends number ? (`${V}` extends `${bigint}` ? true : false) : false;
type Vals<V> = [V] extends [string] ? JoinQuoted<V> : 'other values';

/** Why a search parameter does not fit an input port (never: it fits). */
type SpaceMisfit<K extends string, P, S> =
  P extends ParamPort<infer T, infer N, boolean, boolean>
    ? N extends 'json'
      ? never
      : S extends SpaceParam<'float', unknown>
        ? N extends 'float'
          ? never
          : `✗ search parameter '${K}' draws floats but input '${K}' is ${N}${N extends 'int' ? ': use tune.intRange(low, high)' : ''}`
        : S extends SpaceParam<'int', unknown>
          ? N extends 'int' | 'float'
            ? never
            : `✗ search parameter '${K}' draws integers but input '${K}' is ${N}`
          : S extends SpaceParam<'choice', infer V>
            ? N extends 'int'
              ? false extends IsIntLiteral<V>
                ? `✗ search parameter '${K}': input '${K}' is int, so every choice value must be a whole number`
                : never
              : [V] extends [T]
                ? never
                : `✗ search parameter '${K}': input '${K}' takes ${N} values${string extends T ? '' : ` (${Vals<T>})`}; the choice holds ${Vals<Exclude<V, T>>}`
            : never
    : `✗ search parameter '${K}': input '${K}' is an artifact; only parameters can be searched`;

/** The space as given, or in place of a wrong parameter the sentence that says why. */
export type CheckSpace<I extends PortMap, S> = {
  [K in keyof S]: K extends keyof I & string
    ? [SpaceMisfit<K, I[K], S[K]>] extends [never]
      ? S[K]
      : SpaceMisfit<K, I[K], S[K]>
    : `✗ '${K & string}' is not an input of the trial component; its inputs are ${JoinQuoted<keyof I & string>}`;
};

/** The parameter type a search parameter's best value has, as the trial's input declares it. */
type BestType<P> = P extends ParamPort<unknown, infer N, boolean, boolean> ? N : 'json';
type Conditional<S> = S extends { readonly spec: { when: object } } ? 'maybe absent' : Presence;

/** Typed references to the best trial's parameters (conditional ones may be absent). */
export type BestParams<I extends PortMap, S> = {
  readonly [K in keyof S]: K extends keyof I ? ParamRef<BestType<I[K]>, 'always' extends Conditional<S[K]> ? 'always' : 'maybe absent'> : never;
};

/** The study settings of `p.tune()` besides the space and the fixed inputs. */
export interface StudySettings {
  /** The metric the trial reports with `ctx.metric(key, value[, step])`; its last value counts. */
  objective: {
    metric: string;
    /** A nested pipeline as the trial: the id of its task that reports the metric (required then). */
    task?: string;
    goal: 'minimize' | 'maximize';
  };
  /** Default `random`. */
  algorithm?: TuneAlgorithm | TuneAlgorithm['name'];
  /** Trials in all (failed and pruned ones count). */
  maxTrials: number;
  /** Trials running at once (default 1); changeable while the study runs (`sluice tune set`). */
  parallelTrials?: number;
  /** The study fails when more trials than this have failed. */
  maxFailedTrials?: number;
  /** Stop trials early from their intermediate values (`ctx.metric(key, value, step)`). */
  earlyStopping?: EarlyStopping;
  /** Seed of the algorithm (default 0). */
  seed?: number;
}
