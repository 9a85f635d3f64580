/** Metrics a run's tasks recorded (`ctx.metric(key, value, step | { step, stepLabel })`), flat and as series per task and key. */
import { requireRun, type ApiContext } from './context';
import { implement, type ApiRoute } from './routing';

export function metricRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    implement('getRunMetrics', {
      handler: async ({ params }) => {
        const run = await requireRun(ctx, params.runId);
        const [metrics, executions] = await Promise.all([ctx.metadata.listMetrics({ runId: run.id }), ctx.metadata.listExecutions(run.id)]);
        const taskOf = new Map(executions.map((e) => [e.id, e.taskId]));
        const flat = metrics.map((m) => ({
          taskId: taskOf.get(m.executionId) ?? m.executionId,
          executionId: m.executionId,
          key: m.key,
          value: m.value,
          step: m.step,
          ...(m.stepLabel !== undefined ? { stepLabel: m.stepLabel } : {}),
        }));
        const series = new Map<string, { taskId: string; key: string; stepLabel?: string; points: { step: number; value: number }[] }>();
        for (const m of flat) {
          const id = `${m.taskId}\u0000${m.key}`;
          const s = series.get(id) ?? { taskId: m.taskId, key: m.key, points: [] };
          s.points.push({ step: m.step, value: m.value });
          // The series' x axis: what its points say their steps count (the last one that said).
          if (m.stepLabel !== undefined) s.stepLabel = m.stepLabel;
          series.set(id, s);
        }
        for (const s of series.values()) s.points.sort((a, b) => a.step - b.step);
        return { body: { metrics: flat, series: [...series.values()] } };
      },
    }),
  ];
}
