/**
 * Range checks on literal option values, in the types: `gpu: 0.5`, `maxAttempts: 0`,
 * `parallelism: 0`, `timeout: { attempt: '-5m' }` are type errors whose first line says what is
 * wrong. Values that are not literals (a `number` variable) pass here and are checked when the
 * pipeline is defined (`toExecutionOptions`, `forEach`) and by the validator.
 *
 * The option parameter's type is `Check…<O>`: `O` itself when every literal is in range, otherwise
 * a message string, so tsc reports "… is not assignable to parameter of type '"✗ …"'".
 */
import type { ExecutionOptionsInput } from './component';
import type { LoopOptions, TaskOptions } from './pipeline';

type Str<N> = N extends number ? `${N}` : N extends string ? N : '';
/** A literal number (not `number`). */
type IsLiteral<N> = N extends number ? (number extends N ? false : true) : false;
type IsInt<N> = `${Str<N>}` extends `${bigint}` ? true : false;
type IsNegative<N> = Str<N> extends `-${string}` ? true : false;
type IsZero<N> = Str<N> extends '0' ? true : false;
/** Literal ≥ 1 and an integer. */
type BadCount<N> = IsLiteral<N> extends true ? (IsInt<N> extends true ? (IsNegative<N> extends true ? true : IsZero<N>) : true) : false;
type BadWhole<N> = IsLiteral<N> extends true ? (IsInt<N> extends true ? IsNegative<N> : true) : false;
type BadPositive<N> = IsLiteral<N> extends true ? (IsNegative<N> extends true ? true : IsZero<N>) : false;
/** A fraction above 1: an integer ≥ 2, or a decimal whose integer part is not 0 (0.x is fine; 1e-3 too). */
type AboveOne<N> = Str<N> extends `${string}e-${string}` ? false : Str<N> extends '0' | '1' | `0.${string}` ? false : true;
type BadRatio<N> = IsLiteral<N> extends true ? (IsNegative<N> extends true ? true : AboveOne<N>) : false;
/** A duration literal that is zero or negative: -5, 0, "-5m", "0s". */
type BadDuration<D> = D extends number ? BadPositive<D> : D extends `-${string}` | `0${'ms' | 's' | 'm' | 'h' | 'd'}` ? true : false;

type Msg<Field extends string, V, Rule extends string> = `✗ ${Field} ${Rule}; got ${Str<V> extends '' ? 'this value' : Str<V>}`;

type At<O, K extends PropertyKey> = O extends { readonly [P in K]?: infer V } ? V : undefined;
type DurationProblem<Field extends string, D> = BadDuration<D> extends true ? Msg<Field, D, 'must be a positive duration such as "30s" or "5m"'> : never;

/** The first problem of execution options (resources, retry, timeout, cache), or never. */
export type ExecutionProblem<O> =
  | (BadWhole<At<At<O, 'resources'>, 'gpu'>> extends true ? Msg<'resources.gpu', At<At<O, 'resources'>, 'gpu'>, 'takes a whole number of GPUs (0, 1, 2 …)'> : never)
  | (BadPositive<At<At<O, 'resources'>, 'cpu'>> extends true ? Msg<'resources.cpu', At<At<O, 'resources'>, 'cpu'>, 'must be more than 0 (cores; 0.5 is half a core)'> : never)
  | (BadCount<At<At<O, 'resources'>, 'memory'>> extends true ? Msg<'resources.memory', At<At<O, 'resources'>, 'memory'>, 'takes a whole number of MiB, 1 or more'> : never)
  | (BadCount<At<At<O, 'retry'>, 'maxAttempts'>> extends true ? Msg<'retry.maxAttempts', At<At<O, 'retry'>, 'maxAttempts'>, 'counts attempts, the first included: a whole number, 1 or more'> : never)
  | DurationProblem<'retry.initialInterval', At<At<O, 'retry'>, 'initialInterval'>>
  | DurationProblem<'retry.maxInterval', At<At<O, 'retry'>, 'maxInterval'>>
  | DurationProblem<'timeout.attempt', At<At<O, 'timeout'>, 'attempt'>>
  | DurationProblem<'timeout.total', At<At<O, 'timeout'>, 'total'>>
  | DurationProblem<'timeout.heartbeat', At<At<O, 'timeout'>, 'heartbeat'>>
  | DurationProblem<'timeout.queue', At<At<O, 'timeout'>, 'queue'>>
  | DurationProblem<'cache.maxAge', At<At<O, 'cache'>, 'maxAge'>>;

type LoopProblem<O> =
  | (BadCount<At<O, 'parallelism'>> extends true ? Msg<'parallelism', At<O, 'parallelism'>, 'is how many items run at once: a whole number, 1 or more'> : never)
  | (BadRatio<At<O, 'minSuccessRatio'>> extends true ? Msg<'minSuccessRatio', At<O, 'minSuccessRatio'>, 'is a share of the items, between 0 and 1'> : never);

/** `O` when its literal values are in range, else the message of a problem. */
export type CheckTaskOptions<O extends TaskOptions> = [ExecutionProblem<O>] extends [never] ? O : ExecutionProblem<O>;
export type CheckLoopOptions<O extends LoopOptions> = [LoopProblem<O>] extends [never] ? O : LoopProblem<O>;
export type CheckExecutionOptions<O extends ExecutionOptionsInput> = [ExecutionProblem<O>] extends [never] ? O : ExecutionProblem<O>;
