/**
 * `ctx.models`: the model registry as a component sees it, on the worker's metadata store. Each
 * write is keyed by the execution (not the attempt), so a retried attempt — after a crash between
 * the write and the end of the task — gets the first attempt's version and alias move back
 * instead of adding a second version or a second history row.
 */
import type { ModelRegistryAccess } from '../../../dsl/runtime';
import type { MetadataStore } from '../../stores/metadata/index';

export function modelRegistryAccess(
  metadata: Pick<MetadataStore, 'registerModelVersion' | 'moveModelAlias'>,
  where: { runId: string; taskId: string; executionId: string },
): ModelRegistryAccess {
  const actor = `run ${where.runId} task ${where.taskId}`;
  return {
    async registerVersion(input) {
      const { version, created } = await metadata.registerModelVersion({
        model: input.model,
        artifactId: typeof input.artifact === 'string' ? input.artifact : input.artifact.id,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.tags !== undefined ? { tags: input.tags } : {}),
        createdBy: actor,
        sourceExecutionId: where.executionId,
      });
      return { version: version.version, created };
    },
    async moveAlias(input) {
      const { moved, event } = await metadata.moveModelAlias({
        model: input.model,
        alias: input.alias,
        version: input.version,
        actor,
        note: input.note,
        requestKey: where.executionId,
      });
      return { moved, fromVersion: event.fromVersion };
    },
  };
}
