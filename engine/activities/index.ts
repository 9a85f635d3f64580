/** All activities a Sluice worker registers, built over the stores it was given. */
import { createExecuteTask, type ExecuteTaskDeps } from './executeTask';
import { createRunActivities } from './runBookkeeping';

export { componentDigest } from './executeTask';
export type { ExecuteTaskDeps } from './executeTask';

export function createTaskActivities(deps: ExecuteTaskDeps) {
  return { executeTask: createExecuteTask(deps) };
}
export { createRunActivities };
