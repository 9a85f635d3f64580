/**
 * Webhook triggers: a POST signed with HMAC-SHA256 (key: the trigger's secret) over
 * `v1:<timestamp>:<delivery id>:<body>` (see signWebhook). A missing or wrong signature, or a
 * timestamp outside five minutes, is refused (401) and starts nothing. The delivery id is signed,
 * so a captured request cannot be resent under a new one; resent as it was, it is a replay (409):
 * the run's workflow id is derived from the delivery id and Temporal refuses a duplicate.
 * Parameters the payload makes are checked (types, text the store can hold) before the 202.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { jsonPointer, parseJsonText } from '../../../dsl/ir/index';
import { resolveRunParams } from '../../runs/index';
import type { Json } from '../../stores/metadata/index';
import { triggeredWorkflowId } from '../../temporal/workflows/index';
import { workflowIdFor, type TriggeredRunInput } from '../../temporal/workflows/types';
import { getTriggerDefinition, TriggerError, type TriggerDeps } from './triggers';

export const SIGNATURE_HEADER = 'x-sluice-signature';
export const TIMESTAMP_HEADER = 'x-sluice-timestamp';
export const DELIVERY_HEADER = 'x-sluice-delivery';
const TOLERANCE_MS = 5 * 60 * 1000;

/**
 * The signature header value of a delivery: `sha256=<hex HMAC-SHA256>` over the base string
 * `v1:<timestamp>:<deliveryId>:<body>`. The one place that builds it (senders, tests, docs/WEBHOOKS).
 */
export function signWebhook(secret: string, timestamp: string, deliveryId: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`v1:${timestamp}:${deliveryId}:`).update(body).digest('hex')}`;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads `a.b.c` from a JSON value. */
function at(payload: unknown, path: string): unknown {
  let v: unknown = payload;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

export async function receiveWebhook(
  deps: TriggerDeps,
  triggerId: string,
  body: Buffer,
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): Promise<{ runId: string; workflowId: string }> {
  const def = await getTriggerDefinition(deps.client, triggerId);
  if (def.kind !== 'webhook') throw new TriggerError('not-found', `trigger "${triggerId}" is a ${def.kind} trigger, not a webhook`);
  const signature = header(headers, SIGNATURE_HEADER);
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const delivery = header(headers, DELIVERY_HEADER);
  if (!signature || !timestamp) throw new TriggerError('unauthenticated', `missing ${SIGNATURE_HEADER} or ${TIMESTAMP_HEADER} header`);
  // Checked before the signature, which covers it: a delivery id is part of what was signed.
  if (!delivery || !/^[A-Za-z0-9_.:-]{1,100}$/.test(delivery)) throw new TriggerError('invalid', `missing or bad ${DELIVERY_HEADER} header (1-100 letters, digits, "_.:-")`);
  const expected = Buffer.from(signWebhook(def.secret, timestamp, delivery, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new TriggerError('unauthenticated', 'bad signature: sign "v1:<timestamp>:<delivery id>:<body>" with HMAC-SHA256 and the trigger\'s secret');
  }
  const ts = Number(timestamp) * 1000;
  if (!Number.isFinite(ts) || Math.abs(now - ts) > TOLERANCE_MS) throw new TriggerError('unauthenticated', 'timestamp too old or in the future (more than 5 minutes off): refused as a possible replay');

  const parsed = parseJsonText(body.toString('utf8'));
  if (!parsed.ok) throw new TriggerError('invalid', `the body is not acceptable JSON: ${parsed.problems.map((p) => `${jsonPointer(p.path) || '/'}: ${p.message}`).join('; ')}`);
  const payload = parsed.value;
  const params: Record<string, Json> = { ...def.params };
  for (const [input, path] of Object.entries(def.mapping)) {
    const v = at(payload, path);
    if (v !== undefined) params[input] = v as Json;
  }
  const version = await deps.metadata.getPipelineVersion(def.pipelineVersionId);
  if (!version) throw new TriggerError('gone', `the trigger's pipeline version ${def.pipelineVersionId} no longer exists`);
  try {
    resolveRunParams(version.spec, params);
  } catch (e) {
    throw new TriggerError('bad-payload', `the payload does not make valid parameters: ${(e as Error).message}`);
  }

  const runId = randomUUID().replace(/-/g, '').slice(0, 12);
  const input: TriggeredRunInput = {
    triggerId,
    runId,
    pipelineVersionId: def.pipelineVersionId,
    params,
    event: { kind: 'webhook', delivery, receivedAt: new Date(now).toISOString() },
    taskQueuePrefix: def.taskQueuePrefix,
  };
  try {
    await deps.client.workflow.start('triggeredRun', {
      workflowId: triggeredWorkflowId(triggerId, delivery),
      taskQueue: def.taskQueuePrefix,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [input],
    });
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) throw new TriggerError('replay', `delivery "${delivery}" was received before: refused as a replay`);
    throw e;
  }
  return { runId, workflowId: workflowIdFor(runId) };
}
