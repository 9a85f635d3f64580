/** Run tracking (tags, notes, tracked runs, run search): see TrackingStore.ts. */
export type * from './TrackingStore';
export { MLFLOW_TASK_ID, MLFLOW_TRIGGER_KIND, NOTE_TAG, RUN_NAME_TAG } from './TrackingStore';
export { DrizzleTrackingStore, trackedExecutionId } from './DrizzleTrackingStore';
export { parseRunFilter, parseRunOrder, RunFilterError } from './runFilter';
export type { Comparator, FilterClause, FilterEntity, RunAttribute, RunFilterExpr, RunOrder } from './runFilter';
export { readRunAnnotations, type RunAnnotationsView } from './runAnnotations';
export { executionIdOfMlflowRun, mlflowRunIdOf } from './mlflowRunId';
