/**
 * The IR of a tuning study (`p.tune(...)`): a task node whose `tune` block says which of its
 * component's inputs are searched and how. The study runs the component once per trial with the
 * suggested values in those inputs; its other inputs are bound as for any task. The node's outputs
 * are the component's outputs of the best trial plus the study outputs named here.
 */
import { z } from 'zod';
import { earlyStoppingSchema, objectiveSchema, searchSpaceSchema, tuneAlgorithmSchema } from './tuneSpace';

/**
 * A study runs at most this many trials: each costs its `tuneStudy` workflow ~20 history events
 * (suggestion, records, the task, the objective), and Temporal caps a history at 51,200.
 */
export const MAX_TUNE_TRIALS = 2000;

export const tuneSpecSchema = z.strictObject({
  space: searchSpaceSchema,
  objective: objectiveSchema,
  algorithm: tuneAlgorithmSchema,
  /** Trials in all (pruned and failed ones count). */
  maxTrials: z.number().int().positive().max(MAX_TUNE_TRIALS),
  /** Trials running at once (default 1). */
  parallelTrials: z.number().int().positive().max(1000).optional(),
  /** The study fails when more trials than this fail (default: maxTrials, i.e. only when none succeeds). */
  maxFailedTrials: z.number().int().nonnegative().optional(),
  earlyStopping: earlyStoppingSchema.optional(),
  /** Seed of the algorithm (default 0): with the recorded history it fixes every suggestion. */
  seed: z.number().int().optional(),
});
export type TuneSpec = z.infer<typeof tuneSpecSchema>;

/** Outputs a study adds to its trial component's outputs (which come from the best trial). */
export const TUNE_OUTPUTS = {
  /** The best trial's parameters (an object: parameter name → value). */
  bestParams: { kind: 'parameter', type: 'json' },
  /** The best trial's objective value. */
  bestValue: { kind: 'parameter', type: 'float' },
  /** Number of the best trial (0-based). */
  bestTrial: { kind: 'parameter', type: 'int' },
  /** Every trial: number, state, parameters, value, pruned step, error. */
  trials: { kind: 'parameter', type: 'json' },
} as const;
export type TuneOutputName = keyof typeof TUNE_OUTPUTS;
