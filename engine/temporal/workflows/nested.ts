/** Child workflow for a pipeline used as a task of another: same run, task paths prefixed. */
import { ApplicationFailure } from '@temporalio/workflow';
import { runPipelineBody } from './body';
import { runLoop } from './loop';
import type { RunContext } from './scope';
import type { NestedPipelineInput, PortValue } from './types';

export async function nestedPipeline(input: NestedPipelineInput): Promise<Record<string, PortValue>> {
  const ctx: RunContext = {
    runId: input.runId,
    taskQueuePrefix: input.taskQueuePrefix,
    cache: input.cache,
    components: input.spec.components,
    runLoop,
  };
  const result = await runPipelineBody(ctx, input.spec, { prefix: input.prefix, inputs: input.inputs, items: {}, outer: {} }, {});
  if (result.state !== 'succeeded') {
    const f = result.failure;
    throw ApplicationFailure.nonRetryable(f ? `task "${f.task}" failed: ${f.error}` : `nested pipeline "${input.spec.name}" was ${result.state}`, 'NestedPipelineFailed');
  }
  const outputs: Record<string, PortValue> = {};
  for (const [name, b] of Object.entries(input.spec.outputs)) {
    const v = result.outcomes[b.task]?.outputs[b.output];
    if (v) outputs[name] = v;
  }
  return outputs;
}
