/**
 * `scheduledRun`: what a Temporal Schedule starts. It records a run of the schedule's pipeline
 * version (trigger: the schedule and the nominal time) and runs it as the usual `pipelineRun`
 * child, workflow id `run-<id>`, so every run command works on it. The schedule's overlap policy
 * applies to this workflow, which lasts as long as the run.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { executeChild, uuid4, workflowInfo } from '@temporalio/workflow';
import { bookkeeping } from './scope';
import { workflowIdFor, type Json, type PipelineRunInput, type ScheduledRunInput } from './types';
import type { pipelineRun } from './pipelineRun';

const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export async function scheduledRun(input: ScheduledRunInput): Promise<Record<string, Json>> {
  const info = workflowInfo();
  const nominal = info.typedSearchAttributes.get(SCHEDULED_START) ?? new Date(info.startTime);
  const runId = uuid4().replace(/-/g, '').slice(0, 12);
  const created = await bookkeeping(input.taskQueuePrefix).createTriggeredRun({
    runId,
    pipelineVersionId: input.pipelineVersionId,
    params: input.params,
    trigger: { kind: 'schedule', scheduleId: input.scheduleId, nominalTime: nominal.toISOString(), workflowId: info.workflowId },
  });
  const args: PipelineRunInput = { runId, spec: created.spec, params: created.params, artifacts: created.artifacts, taskQueuePrefix: input.taskQueuePrefix };
  return executeChild<typeof pipelineRun>('pipelineRun', { workflowId: workflowIdFor(runId), taskQueue: input.taskQueuePrefix, args: [args] });
}
