/** Activities that keep the `runs` row in step with the workflow. Idempotent: safe to retry. */
import type { MetadataStore } from '../metadata/MetadataStore';
import type { FinishRunInput, RunActivities } from '../workflows/types';

export function createRunActivities(metadata: MetadataStore): RunActivities {
  return {
    async markRunStarted({ runId }) {
      const run = await metadata.getRun(runId);
      if (run && run.status === 'pending') await metadata.updateRun(runId, { status: 'running', startedAt: new Date() });
    },
    async finishRun(input: FinishRunInput) {
      // A workflow started without a run row (not through submitRun) has nothing to update.
      if (!(await metadata.getRun(input.runId))) return;
      await metadata.updateRun(input.runId, {
        status: input.status,
        finishedAt: new Date(),
        error: input.error ?? null,
        failedTask: input.failedTask ?? null,
        outputs: input.outputs ?? null,
      });
    },
  };
}
