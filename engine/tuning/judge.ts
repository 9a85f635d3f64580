import type { EarlyStopping, Objective, TrialRecord } from '../../dsl/ir/tuneSpace';

export interface JudgeInput {
  rule: EarlyStopping;
  objective: Objective;
  /** The trial being judged, with its intermediate values so far. */
  trial: TrialRecord;
  /** Every other trial of the study. */
  others: readonly TrialRecord[];
}

export type Judgement = { stop: false } | { stop: true; step: number; reason: string };

/**
 * Whether an early-stopping rule stops a running trial now. Pure.
 *
 * Scaffold: never stops, until the median rule and ASHA land.
 */
export function judgeTrial(_input: JudgeInput): Judgement {
  return { stop: false };
}
