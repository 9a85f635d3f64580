/**
 * The IR of a tuning study (`p.tune(...)`): a task node whose `tune` block says which of its
 * component's inputs are searched and how. The study runs the component once per trial with the
 * suggested values in those inputs; its other inputs are bound as for any task. The node's outputs
 * are the component's outputs of the best trial plus the study outputs named here.
 */
import { z } from 'zod';
import type { ComponentSpec, PortSpec, TaskSpec } from './schema';
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
  /**
   * Every trial as a Dataset (components/dataset.ts), one row per trial: number, state, one column
   * per search parameter, value, prunedStep, reason, durationMs. Written when the study ends.
   */
  trialsDataset: { kind: 'artifact', type: 'Dataset' },
} as const;
export type TuneOutputName = keyof typeof TUNE_OUTPUTS;

/** A study's own outputs: `bestParams`, `bestValue`, …, and `best.<param>` typed as the input it feeds. */
function studyOutputPort(tune: TuneSpec, comp: ComponentSpec, output: string): PortSpec | undefined {
  if (Object.hasOwn(TUNE_OUTPUTS, output)) return { ...TUNE_OUTPUTS[output as TuneOutputName] };
  const param = output.startsWith('best.') ? output.slice(5) : undefined;
  if (param === undefined || !Object.hasOwn(tune.space, param)) return undefined;
  const input = Object.hasOwn(comp.inputs, param) ? comp.inputs[param] : undefined;
  const spec: PortSpec = { kind: 'parameter', type: input?.kind === 'parameter' ? input.type : 'json' };
  // A conditional parameter has no value when its condition did not hold in the best trial.
  if (tune.space[param]?.when) spec.optional = true;
  return spec;
}

/**
 * The port of output `output` of task `node` (running `comp`): one of the component's outputs or,
 * for a study (`p.tune`), one of the study's own outputs. The one answer the validator, the DSL's
 * nested pipelines and codegen share, so a study's outputs are readable wherever a task's are.
 */
export function taskOutputPort(node: TaskSpec, comp: ComponentSpec, output: string): PortSpec | undefined {
  if (Object.hasOwn(comp.outputs, output)) return comp.outputs[output];
  return node.tune ? studyOutputPort(node.tune, comp, output) : undefined;
}

/**
 * Every output port of task `node` (running `comp`) by name: the component's outputs and, for a
 * study, its own outputs (`bestParams`, …, `trialsDataset`, then `best.<param>` per search
 * parameter in the space's order). What the editor draws as the node's output ports; each entry is
 * what `taskOutputPort` answers for its name.
 */
export function taskOutputPorts(node: TaskSpec, comp: ComponentSpec | undefined): Record<string, PortSpec> {
  const out: Record<string, PortSpec> = { ...(comp?.outputs ?? {}) };
  if (!node.tune) return out;
  const names = [...Object.keys(TUNE_OUTPUTS), ...Object.keys(node.tune.space).map((p) => `best.${p}`)];
  for (const name of names) {
    if (Object.hasOwn(out, name)) continue;
    const port = comp ? studyOutputPort(node.tune, comp, name) : name.startsWith('best.') ? { kind: 'parameter' as const, type: 'json' } : { ...TUNE_OUTPUTS[name as TuneOutputName] };
    if (port) out[name] = port;
  }
  return out;
}
