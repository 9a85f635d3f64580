/**
 * Workflow entry point, bundled by Temporal's webpack bundler into the deterministic sandbox.
 * Everything reachable from here must be pure: no Node built-ins, database, clocks or randomness
 * (enforced by eslint `no-restricted-imports` and test/boundaries.test.ts).
 */
export { approveUpdate, pipelineRun, statusQuery } from './pipelineRun';
export { loopBatch } from './loop';
export { nestedPipeline } from './nested';
export { tuneControlUpdate, tuneStatusQuery, tuneStudy } from './study';
export { scheduledRun } from './scheduledRun';
export { notifyRun, triggeredRun, triggerSensor } from './triggers';
export { definitionQuery, triggerWorkflowId, triggeredWorkflowId } from './triggers';
export { modelRollout, rolloutControlSignal } from './rollout';
