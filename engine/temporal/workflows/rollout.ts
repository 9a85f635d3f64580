/**
 * `modelRollout`: a durable rollout of a registered model's candidate version. canary: per step,
 * set the candidate's weight, wait the interval (a durable timer), judge the window's gates from
 * two scrapes of the model server's metrics, then go on, hold the step for another window (too few
 * requests), or roll back; after the last step, promote (`champion` moves to the candidate through
 * the registry's alias move). shadow and ab: set the split and wait for promote or abort. An abort
 * signal ends any mode at once. Deterministic: every figure is an activity's recorded result and
 * the judgement is pure (rolloutGates.ts), so a restarted worker replays to the same step.
 */
import { condition, defineSignal, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import { judgeWindow, observeWindow } from './rolloutGates';
import { ROLLOUT_CONTROL_SIGNAL, type GateFigures, type Json, type ModelRolloutInput, type RolloutActivities, type RolloutControl, type RolloutEnd, type ServingSnapshot } from './types';

export const rolloutControlSignal = defineSignal<[RolloutControl]>(ROLLOUT_CONTROL_SIGNAL);

/**
 * Since this patch the rollout's activities time out after 15 s (was 1 minute): a gate read or a
 * weight update that hangs (a worker killed mid-activity, a stuck connection) is retried within
 * seconds instead of stalling the step. The slowest, the scrape, gives up its fetch at 10 s.
 */
export const ROLLOUT_ACTIVITY_TIMEOUT_PATCH = 'rollout-activity-timeout-15s';

const asJson = (f: GateFigures): Record<string, Json> => ({ ...f });

export async function modelRollout(input: ModelRolloutInput): Promise<{ state: RolloutEnd; reason: string }> {
  const { plan, rolloutId } = input;
  const acts = proxyActivities<RolloutActivities>({
    taskQueue: input.taskQueuePrefix,
    startToCloseTimeout: patched(ROLLOUT_ACTIVITY_TIMEOUT_PATCH) ? '15 seconds' : '1 minute',
    // The model server or the store may be restarting: keep trying for a few minutes before giving up.
    retry: { maximumAttempts: 12, initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  let control: RolloutControl | undefined;
  setHandler(rolloutControlSignal, (c) => {
    // A canary is promoted by its gates only (the API refuses promote for it before it gets here).
    if (c.action === 'promote' && plan.mode === 'canary') return;
    control ??= c;
  });
  let step = 0;
  let weight = 0;
  const finish = (state: RolloutEnd, reason: string, figures: Record<string, Json> = {}) =>
    acts.rolloutFinish({ rolloutId, model: input.model, baselineVersion: input.baselineVersion, candidateVersion: input.candidateVersion, state, step, weight, figures, reason, actor: input.actor });
  /** Ends on the promote or abort signal; shadow and A/B record the figures since `since` (the current window's start). */
  const controlled = async (since?: ServingSnapshot) => {
    const c = control!;
    let figures: Record<string, Json> = {};
    if (since && plan.mode !== 'canary') {
      try {
        figures = observeWindow(since, await acts.rolloutScrape({ model: input.model, version: input.candidateVersion }), plan.intervalMs);
      } catch {
        figures = {};
      }
    }
    return c.action === 'promote' && plan.mode !== 'canary' ? finish('promoted', `promoted by ${c.actor}: ${c.reason}`, figures) : finish('aborted', `aborted by ${c.actor}: ${c.reason}`, figures);
  };

  if (plan.mode !== 'canary') {
    weight = plan.mode === 'ab' ? (plan.split ?? 50) : 0;
    await acts.rolloutSetWeight({ rolloutId, step, weight, reason: plan.mode === 'ab' ? `A/B split: ${weight}% to the candidate, sticky by route key` : 'shadow: the baseline answers, the candidate gets a mirror of every request' });
    // No gates: every interval the window's figures (shadow: agreement) go into the decision log, until promote or abort.
    for (let window = 0; ; window++) {
      let before: ServingSnapshot | undefined;
      try {
        before = await acts.rolloutScrape({ model: input.model, version: input.candidateVersion });
      } catch {
        before = undefined; // no model server to read: the split still runs; figures resume when it answers
      }
      if (await condition(() => control !== undefined, plan.intervalMs)) return controlled(before);
      if (!before) continue;
      try {
        const after = await acts.rolloutScrape({ model: input.model, version: input.candidateVersion });
        const figures = observeWindow(before, after, plan.intervalMs);
        const summary = plan.mode === 'shadow' ? `${figures.agree} of ${figures.mirrored} mirrored requests agreed` : `${figures.requests} requests to the candidate, ${figures.errors} errors`;
        await acts.rolloutDecide({ rolloutId, key: `observe-${window}`, step, weight, action: 'observe', figures, reason: summary });
      } catch {
        // As above: a window without figures is skipped, not fatal.
      }
    }
  }

  let last: Record<string, Json> = {};
  for (step = 0; step < plan.steps.length; step++) {
    if (control) return controlled();
    weight = plan.steps[step]!;
    await acts.rolloutSetWeight({ rolloutId, step, weight, reason: `step ${step + 1} of ${plan.steps.length}: ${weight}% to the candidate` });
    for (let window = 0; ; window++) {
      let verdict: ReturnType<typeof judgeWindow>;
      try {
        const before = await acts.rolloutScrape({ model: input.model, version: input.candidateVersion });
        if (await condition(() => control !== undefined, plan.intervalMs)) return controlled();
        const after = await acts.rolloutScrape({ model: input.model, version: input.candidateVersion });
        verdict = judgeWindow(before, after, plan);
      } catch (e) {
        const cause = (e as { cause?: { message?: unknown } }).cause?.message;
        return finish('rolled-back', `the model server's metrics could not be read: ${typeof cause === 'string' ? cause : e instanceof Error ? e.message : String(e)}`);
      }
      const figures = asJson(verdict.figures);
      if (verdict.kind === 'fail') return finish('rolled-back', verdict.reason, figures);
      if (verdict.kind === 'pass') {
        await acts.rolloutDecide({ rolloutId, key: `pass-${step}`, step, weight, action: 'pass', figures, reason: verdict.reason });
        last = figures;
        break;
      }
      if (window >= plan.maxHolds) return finish('rolled-back', `${verdict.reason}, ${window + 1} windows in a row: not promoted on too little data`, figures);
      await acts.rolloutDecide({ rolloutId, key: `hold-${step}-${window}`, step, weight, action: 'hold', figures, reason: `${verdict.reason}: step held for another window` });
    }
  }
  step = plan.steps.length - 1;
  return finish('promoted', `every step (${plan.steps.join(', ')}%) passed its gates`, last);
}
