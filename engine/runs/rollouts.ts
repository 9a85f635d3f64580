/**
 * Model rollouts for the API and the CLI alike: start one (record the split, start its durable
 * workflow), end one (abort any; promote a shadow or A/B one), and read a model's rollouts with
 * their decision logs. Errors carry a code; callers map them to a 4xx or a CLI error.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { routeKeyHeaderSchema } from '../contract/index';
import { CodedError } from '../errors';
import { MetadataStoreError, type MetadataStore, type ModelRolloutRecord, type RolloutDecisionRecord } from '../stores/metadata/index';
import type { modelRollout } from '../temporal/workflows/index';
import { ROLLOUT_CONTROL_SIGNAL, rolloutWorkflowId, type ModelRolloutInput, type RolloutControl, type RolloutPlan } from '../temporal/workflows/types';

export type RolloutErrorCode = 'invalid-rollout' | 'no-model' | 'no-rollout' | 'rollout-running' | 'refused';
export class RolloutError extends CodedError<RolloutErrorCode> {
  override readonly name = 'RolloutError';
}

/** Defaults of a canary plan (the CLI's flags). */
export const DEFAULT_ROLLOUT_PLAN: Omit<RolloutPlan, 'mode'> = { steps: [10, 50, 100], intervalMs: 5 * 60_000, maxErrorRate: 0.01, maxP99Ms: 50, minRequests: 100, maxHolds: 3 };

export interface StartRolloutOptions {
  client: Client;
  metadata: MetadataStore;
  taskQueuePrefix: string;
  model: string;
  /** The candidate: a version number ("3") or an alias ("challenger"). */
  to: string;
  plan: RolloutPlan;
  actor: string;
}

function checkPlan(plan: RolloutPlan): void {
  const bad = (what: string) => new RolloutError('invalid-rollout', what);
  if (plan.mode === 'canary') {
    if (plan.steps.length === 0) throw bad('a canary rollout needs at least one step (--steps 10,50,100)');
    plan.steps.forEach((s, i) => {
      if (!(s > 0 && s <= 100)) throw bad(`step ${i + 1} is ${s}%: each step is a weight above 0 and at most 100`);
      if (i > 0 && s <= plan.steps[i - 1]!) throw bad(`the steps must rise: ${plan.steps.join(', ')}`);
    });
  }
  if (plan.mode === 'ab' && !(plan.split !== undefined && plan.split > 0 && plan.split < 100)) throw bad(`an A/B split is a weight between 0 and 100, exclusive (--split 50); got ${plan.split}`);
  if (plan.routeKeyHeader !== undefined) {
    if (plan.mode === 'shadow') throw bad(`a shadow rollout splits nothing (the baseline answers every request), so it takes no route key header (--key); got ${plan.routeKeyHeader}`);
    const header = routeKeyHeaderSchema.safeParse(plan.routeKeyHeader);
    if (!header.success) throw bad(`the route key header "${plan.routeKeyHeader}" ${header.error.issues[0]?.message ?? 'is not a header name'}`);
  }
  if (!(plan.intervalMs >= 1000)) throw bad(`the interval must be at least 1 s; got ${plan.intervalMs} ms`);
  if (!(plan.maxErrorRate >= 0 && plan.maxErrorRate <= 1)) throw bad(`the largest error rate is a fraction from 0 to 1 (--max-error-rate 1%); got ${plan.maxErrorRate}`);
  if (!(plan.maxP99Ms > 0)) throw bad(`the largest p99 must be above 0 ms; got ${plan.maxP99Ms}`);
  if (!(Number.isInteger(plan.minRequests) && plan.minRequests >= 1)) throw bad(`the sample floor is at least 1 request per window; got ${plan.minRequests}`);
  if (!(Number.isInteger(plan.maxHolds) && plan.maxHolds >= 0)) throw bad(`the held windows per step are a count ≥ 0; got ${plan.maxHolds}`);
}

export async function startRollout(o: StartRolloutOptions): Promise<ModelRolloutRecord> {
  checkPlan(o.plan);
  const model = await o.metadata.getRegisteredModel(o.model);
  if (!model) throw new RolloutError('no-model', `no registered model named "${o.model}" (sluice models list shows them)`);
  const baseline = model.aliases.champion;
  if (baseline === undefined) throw new RolloutError('invalid-rollout', `model "${o.model}" has no champion to roll out from: point it at the serving version first (sluice models alias ${o.model} champion <version>)`);
  const candidate = /^\d{1,9}$/.test(o.to) ? Number(o.to) : model.aliases[o.to];
  if (candidate === undefined) throw new RolloutError('invalid-rollout', `model "${o.model}" has no alias "${o.to}" (aliases: ${Object.keys(model.aliases).join(', ')}); give an alias or a version number`);
  if (candidate === baseline) throw new RolloutError('invalid-rollout', `${o.to} is v${candidate}, which champion points at already: nothing to roll out`);
  const id = `${o.model}-${randomUUID().slice(0, 8)}`;
  const workflowId = rolloutWorkflowId(id);
  let rollout: ModelRolloutRecord;
  try {
    ({ rollout } = await o.metadata.startModelRollout({
      id,
      model: o.model,
      mode: o.plan.mode,
      baselineVersion: baseline,
      candidateVersion: candidate,
      weight: 0,
      plan: { ...o.plan, steps: [...o.plan.steps] },
      workflowId,
      createdBy: o.actor,
    }));
  } catch (e) {
    if (e instanceof MetadataStoreError && e.code === 'conflict') throw new RolloutError('rollout-running', e.message);
    if (e instanceof MetadataStoreError && e.code === 'not_found') throw new RolloutError('invalid-rollout', e.message);
    throw e;
  }
  const input: ModelRolloutInput = { rolloutId: id, model: o.model, baselineVersion: baseline, candidateVersion: candidate, plan: o.plan, taskQueuePrefix: o.taskQueuePrefix, actor: o.actor };
  try {
    await o.client.workflow.start<typeof modelRollout>('modelRollout', { taskQueue: o.taskQueuePrefix, workflowId, args: [input] });
  } catch (e) {
    await o.metadata.updateModelRollout(id, { state: 'aborted', weight: 0, reason: `could not start the rollout workflow: ${(e as Error).message}` });
    throw e;
  }
  return rollout;
}

/** Ends the running rollout of a model: abort (any mode) or promote (shadow and A/B). Returns it as it was. */
export async function controlRollout(o: { client: Client; metadata: MetadataStore; model: string; control: RolloutControl }): Promise<ModelRolloutRecord> {
  const running = await o.metadata.getActiveModelRollout(o.model);
  if (!running) throw new RolloutError('no-rollout', `model "${o.model}" has no running rollout (sluice rollout status ${o.model} shows its past ones)`);
  if (o.control.action === 'promote' && running.mode === 'canary') {
    throw new RolloutError('refused', `rollout ${running.id} is a canary: its gates promote it; abort it to stop it (sluice rollout abort ${o.model})`);
  }
  try {
    await o.client.workflow.getHandle(running.workflowId ?? rolloutWorkflowId(running.id)).signal(ROLLOUT_CONTROL_SIGNAL, o.control);
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
    // No workflow (it never started, or its history is gone): end the split here, so the server stops it.
    await o.metadata.updateModelRollout(running.id, { state: 'aborted', weight: 0, reason: `aborted by ${o.control.actor} (its workflow was gone): ${o.control.reason}` });
    await o.metadata.recordRolloutDecision({ rolloutId: running.id, step: Math.max(0, running.step), weight: 0, action: 'abort', figures: {}, reason: o.control.reason, requestKey: 'end' });
  }
  return running;
}

export interface RolloutReport {
  rollout: ModelRolloutRecord;
  decisions: RolloutDecisionRecord[];
}

/** A model's rollouts, newest first, each with its decision log. */
export async function readRollouts(metadata: MetadataStore, model: string, limit = 10): Promise<RolloutReport[]> {
  if (!(await metadata.getRegisteredModel(model))) throw new RolloutError('no-model', `no registered model named "${model}" (sluice models list shows them)`);
  const rollouts = (await metadata.listModelRollouts(model)).slice(0, limit);
  return Promise.all(rollouts.map(async (rollout) => ({ rollout, decisions: await metadata.listRolloutDecisions(rollout.id) })));
}
