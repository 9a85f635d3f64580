/** `sluice/engine`: run pipelines programmatically — the embedded stack, submission, stores. */
export { EmbeddedStack } from './stack/EmbeddedStack';
export type { EmbeddedStackOptions } from './stack/EmbeddedStack';
export { submitRun, waitForRun, queryRunStatus, DEFAULT_TASK_QUEUE_PREFIX } from './client/submitRun';
export type { SubmitRunOptions, SubmittedRun } from './client/submitRun';
export { resolveRunParams, RunParamsError } from './client/runParams';
export { ComponentRegistry, ComponentNotFoundError } from './registry/ComponentRegistry';
export { openMetadataStore } from './metadata/index';
export type * from './metadata/MetadataStore';
export { openArtifactStore } from './artifacts/index';
export type { ArtifactStore, StoredArtifact } from './artifacts/ArtifactStore';
export { DevServer } from './temporal/DevServer';
export { startWorkers } from './worker/startWorkers';
export type { ResourceClass, RunningWorkers } from './worker/startWorkers';
export { planRetry } from './client/retryRun';
export { createApiServer, startApiServer } from './api/index';
export type { ApiServerDeps, RunningApiServer } from './api/index';
export * from './schedules/index';
export * from './triggers/index';
