/** Task logs of a run: `ctx.log` lines, command stdout/stderr and engine notes, oldest first. */
import type { ApiContext } from './context';
import { requireRun } from './context';
import { notFound } from './problem';
import { implement, type ApiRoute } from './routing';

export function logRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    implement('getRunLogs', {
      handler: async ({ params, query }) => {
        const run = await requireRun(ctx, params.runId);
        if (query.task !== undefined) {
          const tasks = (await ctx.metadata.listExecutions(run.id)).map((e) => e.taskId);
          if (!tasks.includes(query.task)) {
            const shown = tasks.slice(0, 20).join(', ') + (tasks.length > 20 ? ', …' : '');
            throw notFound(`run ${run.id} has no task "${query.task}"${tasks.length ? ` (its tasks: ${shown})` : ' (no task has started yet)'}`, '/query/task');
          }
        }
        const limit = query.limit ?? 1000;
        const lines = await ctx.metadata.listTaskLogs({
          runId: run.id,
          limit,
          ...(query.task !== undefined ? { taskId: query.task } : {}),
          ...(query.attempt !== undefined ? { attempt: query.attempt } : {}),
          ...(query.after !== undefined ? { afterSeq: query.after } : {}),
        });
        const last = lines[lines.length - 1];
        return { body: { lines, next: query.task !== undefined && lines.length === limit && last ? last.seq : null } };
      },
    }),
  ];
}
