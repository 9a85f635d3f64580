/** Task logs of a run: `ctx.log` lines, command stdout/stderr and engine notes, oldest first. */
import type { ApiContext } from './context';
import { requireRun } from './context';
import { z } from './openapi';
import { notFound } from './problem';
import { defineRoute, type ApiRoute } from './routing';
import { logLineSchema, queryInt, runIdParams } from './schemas';

const logsQuery = z
  .strictObject({
    task: z.string().min(1).max(500).optional().openapi({ description: 'Task path: train, sweep[2]/train, sub/write' }),
    attempt: queryInt(1, 1000).optional(),
    after: queryInt(0, 1_000_000_000).optional().openapi({ description: "Only lines with a larger seq (the task's previous `next`); needs `task`" }),
    limit: queryInt(1, 10_000).optional().openapi({ description: 'At most this many lines (default 1000)' }),
  })
  .superRefine((q, issue) => {
    if (q.after !== undefined && q.task === undefined) {
      issue.addIssue({ code: 'custom', path: ['after'], message: 'seqs count per task: give `task` with `after`' });
    }
  });

export function logRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/runs/:runId/logs',
      access: 'viewer',
      operationId: 'getRunLogs',
      summary: "A run's task log lines (of one task with `task`), oldest first",
      description: 'Page through one task with `after=<next>`; GET /api/runs/{runId}/events streams new lines as they come.',
      tags: ['runs'],
      params: runIdParams,
      query: logsQuery,
      responses: {
        200: {
          description: 'Log lines; `next` is the `after` of the next page (null when the page was not full or no task was given)',
          schema: z.object({ lines: z.array(logLineSchema), next: z.number().int().nullable() }),
        },
      },
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
