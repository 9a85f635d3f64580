/** workers: public entry point (other folders import only this file). */
export { WORKER_QUEUES, WorkerSettingsError, resolveWorkerSettings } from './settings';
export type { WorkerFlags, WorkerSettings } from './settings';
export { WorkerStartError, startWorkerProcess } from './startWorkerProcess';
export type { WorkerProcess } from './startWorkerProcess';
