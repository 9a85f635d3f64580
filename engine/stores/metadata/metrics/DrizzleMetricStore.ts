/** MetricStore over drizzle: `metrics`. */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import type { MetadataDatabase } from '../database';
import { executions, metrics } from '../schema';
import type { MetricRecord, MetricStore } from './MetricStore';

export class DrizzleMetricStore implements MetricStore {
  constructor(private readonly db: MetadataDatabase) {}

  async recordMetric(m: MetricRecord): Promise<void> {
    await this.db
      .insert(metrics)
      .values({ runId: m.runId, executionId: m.executionId, key: m.key, value: m.value, step: m.step, stepLabel: m.stepLabel ?? null })
      .onConflictDoUpdate({
        target: [metrics.executionId, metrics.key, metrics.step],
        set: { value: sql`excluded.value`, runId: sql`excluded.run_id`, stepLabel: sql`excluded.step_label` },
      });
  }

  async listRunsMetrics(runIds: readonly string[]): Promise<(MetricRecord & { taskId: string })[]> {
    if (!runIds.length) return [];
    const rows = await this.db
      .select({
        runId: metrics.runId,
        executionId: metrics.executionId,
        taskId: executions.taskId,
        key: metrics.key,
        value: metrics.value,
        step: metrics.step,
        stepLabel: metrics.stepLabel,
      })
      .from(metrics)
      .innerJoin(executions, eq(executions.id, metrics.executionId))
      .where(inArray(metrics.runId, [...runIds]))
      .orderBy(asc(metrics.runId), asc(executions.seq), asc(metrics.key), asc(metrics.step));
    return rows.map(({ stepLabel, ...m }) => (stepLabel === null ? m : { ...m, stepLabel }));
  }

  async listMetrics(filter: { runId?: string; executionId?: string }): Promise<MetricRecord[]> {
    const conditions: SQL[] = [];
    if (filter.runId !== undefined) conditions.push(eq(metrics.runId, filter.runId));
    if (filter.executionId !== undefined) conditions.push(eq(metrics.executionId, filter.executionId));
    const rows = await this.db
      .select({
        runId: metrics.runId,
        executionId: metrics.executionId,
        key: metrics.key,
        value: metrics.value,
        step: metrics.step,
        stepLabel: metrics.stepLabel,
      })
      .from(metrics)
      .innerJoin(executions, eq(executions.id, metrics.executionId))
      .where(and(...conditions))
      .orderBy(asc(executions.seq), asc(metrics.key), asc(metrics.step));
    return rows.map(({ stepLabel, ...m }) => (stepLabel === null ? m : { ...m, stepLabel }));
  }
}
