/** Activities that keep the metadata store in step with the workflow. Idempotent: safe to retry. */
import { ApplicationFailure } from '@temporalio/activity';
import type { MetadataStore } from '../../stores/metadata/index';
import { MetadataStoreError } from '../../stores/metadata/index';
import { resolveArtifactInputs } from '../../runs/index';
import { resolveRunParams } from '../../runs/index';
import { executionIdFor, workflowIdFor, type FinishRunInput, type Json, type RecordedExecution, type RecordedExecutionResult, type RunActivities } from '../workflows/types';

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
    async recordExecutions({ runId, executions }) {
      if (!(await metadata.getRun(runId))) return [];
      const results: RecordedExecutionResult[] = [];
      for (const e of executions) results.push(await recordExecution(metadata, runId, e));
      return results;
    },
    async createTriggeredRun({ runId, pipelineVersionId, params, trigger }) {
      const version = await metadata.getPipelineVersion(pipelineVersionId);
      if (!version) {
        throw ApplicationFailure.nonRetryable(`pipeline version ${pipelineVersionId} does not exist (deleted?); the schedule or trigger needs a new one`, 'UnknownPipelineVersion');
      }
      let resolved: Record<string, Json>;
      try {
        resolved = resolveRunParams(version.spec, params);
      } catch (e) {
        throw ApplicationFailure.nonRetryable((e as Error).message, 'BadRunParams');
      }
      let artifacts;
      try {
        artifacts = await resolveArtifactInputs(metadata, version.spec, resolved);
      } catch (e) {
        throw ApplicationFailure.nonRetryable((e as Error).message, 'BadRunParams');
      }
      if (!(await metadata.getRun(runId))) {
        await metadata.createRun({ id: runId, pipelineVersionId, params: resolved, trigger, workflowId: workflowIdFor(runId) });
      }
      return { spec: version.spec, params: resolved, artifacts };
    },
    async recordLoopItems({ runId, loop, items }) {
      if (!(await metadata.getRun(runId))) return;
      await metadata.recordLoopItems(runId, loop, items);
    },
  };
}

/**
 * One execution that ran no component here. A reuse ('cached' with `cachedFrom`) gets 'reused'
 * events to the old execution's output artifacts and its parameter outputs, so lineage and
 * `runs show` show where its outputs came from (the old execution stays their one producer).
 */
async function recordExecution(metadata: MetadataStore, runId: string, e: RecordedExecution): Promise<RecordedExecutionResult> {
  const id = executionIdFor(runId, e.taskId);
  // A failure the workflow records (a queue timeout) may follow attempts a worker already recorded;
  // a row equal to this record is this call's own, written by an earlier try of this activity.
  const before = e.status === 'failed' ? await metadata.getExecution(id) : undefined;
  const priorAttempt = before && !(before.status === e.status && before.error === (e.error ?? null)) ? before.attempt : null;
  const original = e.cachedFrom ? await metadata.getExecution(e.cachedFrom) : undefined;
  if (e.cachedFrom && !original) {
    throw ApplicationFailure.create({
      message: `cannot record task "${e.taskId}" as reusing execution ${e.cachedFrom}: no such execution in the metadata store`,
      type: 'ReusedExecutionNotFound',
      nonRetryable: true,
    });
  }
  try {
    const stored = await metadata.recordExecution({
      id,
      runId,
      taskId: e.taskId,
      componentName: e.componentName,
      componentDigest: e.componentDigest,
      status: e.status,
      params: e.params ?? original?.params ?? {},
      outputParams: e.outputParams ?? original?.outputParams ?? null,
      error: e.error ?? null,
      cachedFrom: e.cachedFrom ?? null,
      ...(original?.cacheKey ? { cacheKey: original.cacheKey } : {}),
    });
    // Copied whenever the row is this reuse (events are idempotent), so a retry after a partial
    // copy completes it; a row that something else finished is left alone.
    if (original && stored.cachedFrom === original.id) {
      for (const event of await metadata.listEvents({ executionId: original.id })) {
        if (event.kind === 'output') await metadata.recordEvent({ ...event, executionId: id, kind: 'reused' });
      }
    }
    return { taskId: e.taskId, priorAttempt };
  } catch (err) {
    if (err instanceof MetadataStoreError && !err.retryable) {
      throw ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true, cause: err });
    }
    throw err;
  }
}
