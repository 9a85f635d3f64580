/** engine/runs: public entry point (other folders import only this file). */
export { RunParamsError, resolveRunParams } from './runParams';
export { DEFAULT_TASK_QUEUE_PREFIX, queryRunStatus, submitRun, waitForRun } from './submitRun';
export type { SubmitRunOptions, SubmittedRun } from './submitRun';
export { RetryRunError, planRetry } from './retryRun';
export type { RetryRunErrorCode } from './retryRun';
export { resolveArtifactInputs } from './artifactInputs';
export { recordedResult } from './recordedResult';
export {
  DEFAULT_RECONCILE_INTERVAL_MS,
  RECONCILE_INTERVAL_ENV,
  ReconcileSettingError,
  reconcileIntervalFromEnv,
  reconcileRun,
  reconcileRuns,
  startRunReconciler,
} from './reconcileRuns';
export type { ClosedWorkflowStatus, ReconcileDeps, ReconcileSummary, RunCheck, RunReconciler, WorkflowOutcome } from './reconcileRuns';
export { metricSeries } from './metricSeries';
export type { MetricSeriesView, SeriesPoint } from './metricSeries';
export { buildRunComparison, compareRuns, CompareRunsError, finalMetrics, LOWER_IS_BETTER_KEY, metricDirection } from './compareRuns';
export type { ComparedRunInput, DirectionOverrides, DirectionSource, MetricDirection, RunComparison } from './compareRuns';
export { controlStudy, readStudies, StudyError } from './studies';
export type { StudyErrorCode, StudyReport, StudyTrialRow } from './studies';
export { controlRollout, DEFAULT_ROLLOUT_PLAN, readRollouts, RolloutError, startRollout } from './rollouts';
export type { RolloutErrorCode, RolloutReport, StartRolloutOptions } from './rollouts';
