/**
 * `scheduledRun`: what a Temporal Schedule starts. It records a run of the schedule's pipeline
 * version (trigger: the schedule and the nominal time) and runs it as the usual `pipelineRun`
 * child, workflow id `run-<id>`, so every run command works on it. The schedule's overlap policy
 * applies to this workflow, which lasts as long as the run.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';
import { recordAndRun } from './recordedRun';
import type { Json, ScheduledRunInput } from './types';

const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export async function scheduledRun(input: ScheduledRunInput): Promise<Record<string, Json>> {
  const info = workflowInfo();
  const nominal = info.typedSearchAttributes.get(SCHEDULED_START) ?? new Date(info.startTime);
  return recordAndRun({
    taskQueuePrefix: input.taskQueuePrefix,
    pipelineVersionId: input.pipelineVersionId,
    params: input.params,
    trigger: { kind: 'schedule', scheduleId: input.scheduleId, nominalTime: nominal.toISOString(), workflowId: info.workflowId },
  });
}
