/**
 * Trials of tuning studies (`p.tune`): one row per trial, written by the study workflow's
 * activities as trials start and end; what `sluice tune show`, the API and the run view read.
 * The objective's intermediate values stay in the metrics concern (by the trial's execution).
 */
import type { Json } from '../Json';

export type TuneTrialState = 'running' | 'succeeded' | 'failed' | 'pruned' | 'cancelled';

export interface TuneTrialInput {
  runId: string;
  /** Task path of the study in the run ("tune-train", "sweep[2]/tune-train"). */
  study: string;
  /** 0-based, in the order trials were suggested. */
  number: number;
  state: TuneTrialState;
  params: Record<string, Json>;
  /** The objective's value (succeeded trials). */
  value?: number | null;
  /** Pruned trials: the step at which the rule stopped them, and why. */
  prunedStep?: number | null;
  /** Why it failed, was pruned or cancelled. */
  reason?: string | null;
  /** The trial's task execution (its metrics and logs). */
  executionId: string;
  startedAt: Date;
  finishedAt?: Date | null;
}

export type TuneTrialRecord = Required<{ [K in keyof TuneTrialInput]: Exclude<TuneTrialInput[K], undefined> }>;

export interface TuneTrialStore {
  /** Upserts by (run, study, number): a retried write replaces the row. */
  recordTuneTrial(trial: TuneTrialInput): Promise<void>;
  /** By study, then number. */
  listTuneTrials(runId: string, study?: string): Promise<TuneTrialRecord[]>;
}
