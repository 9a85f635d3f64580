/** `sluice/engine`: run pipelines programmatically — the embedded stack, submission, stores. */
export { EmbeddedStack } from './stack/index';
export type { EmbeddedStackOptions } from './stack/index';
export { submitRun, waitForRun, queryRunStatus, DEFAULT_TASK_QUEUE_PREFIX } from './runs/index';
export type { SubmitRunOptions, SubmittedRun } from './runs/index';
export { resolveRunParams, RunParamsError } from './runs/index';
export { ComponentRegistry, ComponentNotFoundError } from './temporal/activities/index';
export { openMetadataStore } from './stores/metadata/index';
export type * from './stores/metadata/index';
export { openArtifactStore } from './stores/artifacts/index';
export type { ArtifactStore, StoredArtifact } from './stores/artifacts/index';
export { DevServer } from './temporal/devServer/index';
export { startWorkers } from './temporal/worker/index';
export type { ResourceClass, RunningWorkers } from './temporal/worker/index';
export { planRetry } from './runs/index';
export { createApiServer, startApiServer } from './server/index';
export type { ApiServerDeps, RunningApiServer } from './server/index';
export * from './automation/index';
