/** All activities a Sluice worker registers, built over the stores it was given. */
import { createExecuteTask, type ExecuteTaskDeps } from './executeTask';
import { createExecuteLightChain } from './lightChain';
import { createExecuteLightItems } from './lightItems';
import { createRunActivities } from './runBookkeeping';
import { createStudyActivities } from './studyActivities';

export { componentDigest } from './executeTask';
export { mlflowEnv, mlflowTrackingFromEnv } from './executeTask';
export type { ExecuteTaskDeps, MlflowTracking } from './executeTask';
export { cacheKey } from './cacheKey';
export type { CacheKeyParts } from './cacheKey';
export { TaskLogWriter } from './taskLogs';
export type { TaskLogWriterOptions } from './taskLogs';

export function createTaskActivities(deps: ExecuteTaskDeps) {
  const executeTask = createExecuteTask(deps);
  return {
    executeTask,
    executeLightChain: createExecuteLightChain(executeTask, deps.metadata),
    executeLightItems: createExecuteLightItems(executeTask, deps.metadata),
  };
}
export { createRunActivities, createStudyActivities };
export { createRolloutActivities, servingSnapshot, MODEL_SERVER_URL_ENV } from './rolloutActivities';
export { createTriggerActivities } from './triggerEvents';
export { ComponentNotFoundError, ComponentRegistry } from './ComponentRegistry';
export { DevicePool } from './devicePool';
export type { DeviceLease, GpuDevice } from './devicePool';
export { observeTask } from './taskMetrics';
