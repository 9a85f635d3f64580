/** Metrics a run's tasks recorded (`ctx.metric(key, value, step | { step, stepLabel })`), flat and as series per task and key. */
import { requireRun, type ApiContext } from './context';
import { implement, type ApiRoute } from './routing';
import { metricSeries } from '../runs/index';

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
        return { body: { metrics: flat, series: metricSeries(flat) } };
      },
    }),
  ];
}
