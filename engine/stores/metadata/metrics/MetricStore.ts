/** Metrics: numbers an execution reported, by key and step. */

export interface MetricRecord {
  runId: string;
  executionId: string;
  key: string;
  value: number;
  /** Series position (epoch, …); 0 for single values. */
  step: number;
  /** What the step counts ("epoch"), when the component said so. */
  stepLabel?: string;
}

export interface MetricStore {
  /** Idempotent on (executionId, key, step): a retried write replaces the value. */
  recordMetric(m: MetricRecord): Promise<void>;
  listMetrics(filter: { runId?: string; executionId?: string }): Promise<MetricRecord[]>;
  /**
   * The points of several runs at once, each with its execution's task id (one query: comparing 50
   * runs read them run by run before), by run, then in execution order, key and step.
   */
  listRunsMetrics(runIds: readonly string[]): Promise<(MetricRecord & { taskId: string })[]>;
}
