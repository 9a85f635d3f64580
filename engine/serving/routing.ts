/**
 * The traffic split of a running rollout: which of its two versions answers a request addressed to
 * the model (the bare name or `<model>@champion`). With a route key (the value of the rollout's
 * route key header: `x-sluice-route-key`, or the one it was started with, `--key x-user-id`) the
 * choice is sticky: the key's stable hash picks a bucket in [0, 100), and the candidate answers
 * when the bucket is below the weight, so a key stays on the candidate as the weight rises.
 * Without a key each request is a fresh draw with the weight's probability.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_ROUTE_KEY_HEADER, routeKeyHeaderSchema } from '../contract/index';
import type { ModelRolloutRecord } from '../stores/metadata/index';

/** The request header that makes the split sticky unless the rollout names another; any text (a user id, a session id). */
export const ROUTE_KEY_HEADER = DEFAULT_ROUTE_KEY_HEADER;

/** The header a rollout's split is keyed by: its plan's `routeKeyHeader` (lowercase), else the default. */
export function routeKeyHeaderOf(rollout: Pick<ModelRolloutRecord, 'plan'>): string {
  const named = routeKeyHeaderSchema.safeParse(rollout.plan.routeKeyHeader);
  return named.success ? named.data : ROUTE_KEY_HEADER;
}
/** Response headers: the version that answered, and the rollout arm it answered as. */
export const VERSION_HEADER = 'x-sluice-model-version';
export const ROLLOUT_HEADER = 'x-sluice-rollout';

export type RolloutArm = 'baseline' | 'candidate';

/** The key's bucket in [0, 100), stable across processes and restarts (sha256, not Math.random). */
export function routeBucket(model: string, key: string): number {
  const digest = createHash('sha256').update(model).update('\0').update(key).digest();
  // 32 bits → [0, 1) → [0, 100): 1/100 of a percent is the finest weight it tells apart.
  return (digest.readUInt32BE(0) / 0x1_0000_0000) * 100;
}

/** Which arm answers: shadow rollouts always answer with the baseline (the candidate is mirrored). */
export function chooseArm(rollout: Pick<ModelRolloutRecord, 'model' | 'mode' | 'weight'>, key: string | undefined, draw: () => number = Math.random): RolloutArm {
  if (rollout.mode === 'shadow' || rollout.weight <= 0) return 'baseline';
  if (rollout.weight >= 100) return 'candidate';
  const bucket = key !== undefined && key !== '' ? routeBucket(rollout.model, key) : draw() * 100;
  return bucket < rollout.weight ? 'candidate' : 'baseline';
}
