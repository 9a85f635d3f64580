/**
 * Triggers as workflows. `triggerSensor` (workflow id `trigger-<id>`) holds a trigger's settings
 * and, for sensors, polls the metadata store through an activity; each event starts a child
 * workflow whose id is derived from the event (`trig-<trigger>-<key>`) with REJECT_DUPLICATE, so
 * an event starts at most one run however often it is seen (replays, restarts, overlapping polls).
 * `triggeredRun` records and runs the pipeline; `notifyRun` posts a run summary.
 */
import {
  continueAsNew,
  defineQuery,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { recordAndRun } from './recordedRun';
import type {
  Json,
  TriggerActivities,
  TriggerDefinition,
  TriggeredRunInput,
  TriggerEvent,
} from './types';

export const definitionQuery = defineQuery<TriggerDefinition>('definition');
export const triggerWorkflowId = (id: string): string => `trigger-${id}`;
export const triggeredWorkflowId = (triggerId: string, key: string): string => `trig-${triggerId}-${key}`;

/** Histories stay short: start afresh (with the cursor) past this many events. */
const MAX_HISTORY_EVENTS = 5000;

export async function triggerSensor(def: TriggerDefinition): Promise<void> {
  setHandler(definitionQuery, () => def);
  if (def.kind === 'webhook') {
    // Webhooks are pushed by the API; the workflow only holds the settings until deleted.
    for (;;) await sleep('30 days');
  }
  const acts = proxyActivities<TriggerActivities>({
    taskQueue: def.taskQueuePrefix,
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  let cursor = def.since;
  for (;;) {
    const polled = await acts.pollTriggerEvents({ definition: def, cursor });
    for (const event of polled.events) await startOnce(def, event);
    cursor = polled.cursor;
    if (workflowInfo().historyLength > MAX_HISTORY_EVENTS) await continueAsNew<typeof triggerSensor>({ ...def, since: cursor });
    await sleep(def.pollMs ?? 5000);
  }
}

async function startOnce(def: TriggerDefinition, e: TriggerEvent): Promise<void> {
  const common = {
    workflowId: triggeredWorkflowId(def.id, e.key),
    taskQueue: def.taskQueuePrefix,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  };
  try {
    if (def.kind === 'notification') {
      await startChild<typeof notifyRun>('notifyRun', { ...common, args: [{ url: def.url, runId: e.key, triggerId: def.id }] });
    } else if (def.kind !== 'webhook') {
      const input: TriggeredRunInput = { triggerId: def.id, pipelineVersionId: def.pipelineVersionId, params: e.params, event: e.event, taskQueuePrefix: def.taskQueuePrefix };
      await startChild<typeof triggeredRun>('triggeredRun', { ...common, args: [input] });
    }
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return; // seen before: at most once
    throw err;
  }
}

export async function triggeredRun(input: TriggeredRunInput): Promise<Record<string, Json>> {
  return recordAndRun({
    taskQueuePrefix: input.taskQueuePrefix,
    pipelineVersionId: input.pipelineVersionId,
    params: input.params,
    trigger: { kind: 'trigger', triggerId: input.triggerId, event: input.event, workflowId: workflowInfo().workflowId },
    ...(input.runId !== undefined ? { runId: input.runId } : {}),
  });
}

export async function notifyRun(input: { url: string; runId: string; triggerId: string }): Promise<void> {
  const acts = proxyActivities<TriggerActivities>({
    taskQueue: workflowInfo().taskQueue,
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 8, initialInterval: '2 seconds', backoffCoefficient: 2 },
  });
  await acts.postNotification(input);
}
