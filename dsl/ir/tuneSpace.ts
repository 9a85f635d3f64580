/**
 * A tuning study's search space, objective, algorithm and early-stopping rule as plain JSON: what
 * `p.tune(...)` writes into the IR and what the study's activities read back to suggest the next
 * trial. Shared by the DSL, the validator, the engine's tuning algorithms and the editor.
 */
import { z } from 'zod';

const paramName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, 'search parameters are named like ports');

/** A parameter that exists only when another (a `choice`) takes one of the listed values. */
export const conditionSchema = z.strictObject({
  param: paramName,
  in: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
});

const common = { when: conditionSchema.optional() };

export const searchParamSchema = z.discriminatedUnion('type', [
  /** A float drawn uniformly from [low, high] (a `step` makes it discrete: low, low+step, …). */
  z.strictObject({ type: z.literal('uniform'), low: z.number(), high: z.number(), step: z.number().positive().optional(), ...common }),
  /** A float drawn log-uniformly from [low, high]; both bounds > 0. */
  z.strictObject({ type: z.literal('logUniform'), low: z.number(), high: z.number(), ...common }),
  /** An integer in [low, high] (inclusive) on a grid of `step` (default 1), optionally log-scaled. */
  z.strictObject({ type: z.literal('intRange'), low: z.number().int(), high: z.number().int(), step: z.number().int().positive().optional(), log: z.boolean().optional(), ...common }),
  /** One of a fixed list of values (categorical: no order between them). */
  z.strictObject({ type: z.literal('choice'), values: z.array(z.union([z.string(), z.number(), z.boolean()])), ...common }),
]);
export type SearchParam = z.infer<typeof searchParamSchema>;

/** Parameter name → its distribution; insertion order is the order suggestions are drawn in. */
export const searchSpaceSchema = z.record(paramName, searchParamSchema);
export type SearchSpace = z.infer<typeof searchSpaceSchema>;

export type ParamValue = string | number | boolean;
/** One trial's parameters. A conditional parameter whose condition does not hold is absent. */
export type Assignment = Record<string, ParamValue>;

export const objectiveSchema = z.strictObject({
  /** The metric key the trial reports with `ctx.metric(key, value[, step])`; its last value counts. */
  metric: z.string().min(1),
  /**
   * For a nested pipeline as the trial: the id of the inner task that reports the metric (its
   * metrics are the trial's intermediate and final values). Absent for a component trial.
   */
  task: z.string().min(1).optional(),
  goal: z.enum(['minimize', 'maximize']),
});
export type Objective = z.infer<typeof objectiveSchema>;

export const tuneAlgorithmSchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('grid') }),
  z.strictObject({ name: z.literal('random') }),
  z.strictObject({
    name: z.literal('tpe'),
    /** Random trials before TPE takes over (Optuna's default 10). */
    startupTrials: z.number().int().nonnegative().optional(),
    /** Candidates drawn from l(x) per suggestion (Optuna's default 24). */
    candidates: z.number().int().positive().optional(),
    /** Model the parameters jointly (Optuna's `multivariate=True`). Default true. */
    multivariate: z.boolean().optional(),
    /**
     * Treat running trials as the worst seen, so trials started while others run look elsewhere
     * (Optuna's `constant_liar=True`). Default true; no effect when trials run one at a time.
     */
    constantLiar: z.boolean().optional(),
  }),
]);
export type TuneAlgorithm = z.infer<typeof tuneAlgorithmSchema>;

export const earlyStoppingSchema = z.discriminatedUnion('rule', [
  /** Stop a trial whose best intermediate value so far is worse than the median of other trials' at the same step. */
  z.strictObject({
    rule: z.literal('median'),
    /** Completed trials needed before any trial is stopped (default 5). */
    startupTrials: z.number().int().nonnegative().optional(),
    /** Steps a trial runs before it may be stopped (default 0). */
    warmupSteps: z.number().int().nonnegative().optional(),
  }),
  /** Asynchronous successive halving: at rungs minResource·η^k keep the top 1/η. */
  z.strictObject({
    rule: z.literal('asha'),
    minResource: z.number().int().positive(),
    reductionFactor: z.number().int().min(2).optional(),
    maxResource: z.number().int().positive().optional(),
  }),
]);
export type EarlyStopping = z.infer<typeof earlyStoppingSchema>;

/** What the study's activities know of a trial when they suggest or judge. */
export interface TrialRecord {
  /** 0-based, in the order trials were suggested. */
  number: number;
  params: Assignment;
  state: 'running' | 'succeeded' | 'failed' | 'pruned';
  /** The objective's final value (succeeded trials). */
  value?: number;
  /** Intermediate objective values by step, in step order. */
  intermediate: { step: number; value: number }[];
}
