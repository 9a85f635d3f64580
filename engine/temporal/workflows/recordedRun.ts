/**
 * A run started without a client (a schedule, a trigger): record it through the bookkeeping
 * activity (which checks the parameters against the pipeline version), then run it as the usual
 * `pipelineRun` child with workflow id `run-<id>`, so every run command works on it.
 */
import { executeChild, uuid4 } from '@temporalio/workflow';
import type { pipelineRun } from './pipelineRun';
import { bookkeeping } from './scope';
import { workflowIdFor, type Json, type PipelineRunInput } from './types';

export async function recordAndRun(input: {
  taskQueuePrefix: string;
  pipelineVersionId: string;
  params: Record<string, Json>;
  trigger: Record<string, Json>;
  runId?: string;
}): Promise<Record<string, Json>> {
  const runId = input.runId ?? uuid4().replace(/-/g, '').slice(0, 12);
  const created = await bookkeeping(input.taskQueuePrefix).createTriggeredRun({
    runId,
    pipelineVersionId: input.pipelineVersionId,
    params: input.params,
    trigger: input.trigger,
  });
  const args: PipelineRunInput = { runId, spec: created.spec, params: created.params, artifacts: created.artifacts, taskQueuePrefix: input.taskQueuePrefix };
  return executeChild<typeof pipelineRun>('pipelineRun', { workflowId: workflowIdFor(runId), taskQueue: input.taskQueuePrefix, args: [args] });
}
