/**
 * Rollouts of registered models: the traffic split the model server applies (a baseline version,
 * a candidate version and the candidate's weight in percent), its plan, its state, and the log of
 * every decision taken on it with the figures it was taken on. At most one rollout of a model is
 * running at a time (a partial unique index); the model server reads the running one with its
 * registry poll, the rollout workflow's activities write it.
 */
import type { Json } from '../Json';

/**
 * canary: stepped weights with gates, then promote or roll back (the rollout workflow).
 * shadow: every request is answered by the baseline and mirrored to the candidate (weight 0).
 * ab: a fixed sticky split without gates, ended by promote or abort.
 */
export type RolloutMode = 'canary' | 'shadow' | 'ab';
export type RolloutState = 'running' | 'promoted' | 'rolled-back' | 'aborted';

export interface ModelRolloutRecord {
  id: string;
  model: string;
  mode: RolloutMode;
  /** What `champion` pointed at when the rollout started. */
  baselineVersion: number;
  candidateVersion: number;
  /** Percent (0–100) of requests addressed to the model that the candidate answers. */
  weight: number;
  /** 0-based index of the current step of the plan; -1 before the first. */
  step: number;
  state: RolloutState;
  /** Steps, interval, gates, route key: as the starter gave them. */
  plan: Record<string, Json>;
  /** Why it ended (rolled back, aborted), or null. */
  reason: string | null;
  /** The Temporal workflow driving it, if any. */
  workflowId: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface StartModelRolloutInput {
  /** Chosen by the caller: a retried start with the same id returns the first (created: false). */
  id: string;
  model: string;
  mode: RolloutMode;
  baselineVersion: number;
  candidateVersion: number;
  weight: number;
  plan: Record<string, Json>;
  workflowId?: string | null;
  createdBy: string;
}

export interface UpdateModelRolloutInput {
  weight?: number;
  step?: number;
  /** Ending it: 'promoted', 'rolled-back' or 'aborted' (sets finishedAt). */
  state?: RolloutState;
  reason?: string | null;
}

/** observe: a shadow or A/B rollout's figures for one interval (they have no gates). */
export type RolloutAction = 'start' | 'weight' | 'pass' | 'hold' | 'observe' | 'promote' | 'rollback' | 'abort';

export interface RolloutDecisionInput {
  rolloutId: string;
  step: number;
  weight: number;
  action: RolloutAction;
  /** The figures it was taken on (requests, errors, error rate, p99, thresholds, …). */
  figures: Record<string, Json>;
  reason: string;
  /** A retried write with the same key adds no second row. */
  requestKey?: string;
}

export interface RolloutDecisionRecord extends Omit<RolloutDecisionInput, 'requestKey'> {
  id: number;
  createdAt: Date;
}

export interface RolloutStore {
  /**
   * Records a running rollout. Throws MetadataStoreError 'not_found' (model or versions unknown),
   * 'conflict' (another rollout of the model is running), 'invalid' (a weight outside 0–100).
   */
  startModelRollout(input: StartModelRolloutInput): Promise<{ rollout: ModelRolloutRecord; created: boolean }>;
  getModelRollout(id: string): Promise<ModelRolloutRecord | undefined>;
  /** The running rollout of a model, if any. */
  getActiveModelRollout(model: string): Promise<ModelRolloutRecord | undefined>;
  /** Newest first. */
  listModelRollouts(model: string): Promise<ModelRolloutRecord[]>;
  /**
   * Changes a running rollout. Ending one that ended already the same way is a no-op (retries);
   * any other change to an ended rollout throws 'conflict'; an unknown id 'not_found'.
   */
  updateModelRollout(id: string, update: UpdateModelRolloutInput): Promise<ModelRolloutRecord>;
  recordRolloutDecision(input: RolloutDecisionInput): Promise<RolloutDecisionRecord>;
  /** Oldest first. */
  listRolloutDecisions(rolloutId: string): Promise<RolloutDecisionRecord[]>;
}
