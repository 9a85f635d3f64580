/** engine/temporal/worker: public entry point (other folders import only this file). */
export { installQuietRuntime, startWorkers } from './startWorkers';
export { prebuildWorkflowBundle } from './workflowBundle';
export type { ResourceClass, RunningWorkers } from './startWorkers';
export { parseWorkerIdentity } from './identity';
export type { WorkerRole, WorkerRuntime } from './identity';
export { POLLER_FRESH_MS, annotateWaitingTasks, listWorkers } from './workerPresence';
export type { QueueView } from './workerPresence';
