/**
 * Live updates as server-sent events (their payloads: engine/contract/events.ts). The server polls
 * (the workflow's status query and the metadata store, every `pollMs`) and sends only what changed:
 *
 * `GET /api/runs/:runId/events`
 *   - `run`       { run }                  at the start and whenever the run record changes
 *   - `task`      { task, ...TaskStatus }  a top-level task's state in the workflow's status query
 *                                          (pending → running → succeeded…, loop item counts, a gate waiting;
 *                                          the final states too when the run ends while streaming)
 *   - `execution` { execution }            an execution row changed (every task path: loop items, nested tasks)
 *   - `log`       LogLine                  a new task log line
 *   - `end`       { run }                  the run reached its final state; the server closes the stream
 * `GET /api/runs/events`
 *   - `snapshot`  { runs }                 the newest runs when the stream opens
 *   - `run`       { run }                  a run was created or changed (with `taskCounts=true`, also
 *                                          when its executions' statuses change; runs carry `taskCounts`)
 * Both send a `: heartbeat` comment every 15 s, and a `warning` event when a poll fails.
 */
import { runListStreamEvents, runStreamEvents } from '../contract/index';
import type { ExecutionRecord, RunRecord } from '../stores/metadata/index';
import { isFinal, liveStatus, requireRun, workflowClosed, type ApiContext } from './context';
import { implement, type ApiRoute } from './routing';
import { EventStream, pollLoop } from './sse';

const LOG_BATCH = 1000;
/** How many of the newest runs the list stream watches. */
const LIST_WINDOW = 200;

const runKey = (r: RunRecord): string => `${r.status}|${r.startedAt?.getTime() ?? ''}|${r.finishedAt?.getTime() ?? ''}|${r.error ?? ''}`;
const executionKey = (e: ExecutionRecord): string => `${e.status}|${e.attempt}|${e.finishedAt?.getTime() ?? ''}|${e.error ?? ''}|${e.cachedFrom ?? ''}`;

export function runEventRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    // Before /api/runs/:runId/…, and a path no run id can take (ids have no "/").
    implement('streamRuns', {
      handler: async ({ query, req, res }) => {
        const filter = {
          ...(query.pipeline !== undefined ? { pipelineName: query.pipeline } : {}),
          ...(query.status !== undefined ? { status: query.status } : {}),
          ...(query.trigger !== undefined ? { triggerKind: query.trigger } : {}),
          limit: LIST_WINDOW,
        };
        const withCounts = query.taskCounts === 'true';
        // A final run's counts never change: counted once, then remembered (the poll counts only live runs).
        const finalCounts = new Map<string, Record<string, number>>();
        /** Runs with their counts (live runs counted afresh, in one query) and their change keys. */
        const counted = async (list: RunRecord[]): Promise<{ run: RunRecord & { taskCounts?: Record<string, number> }; key: string }[]> => {
          if (!withCounts) return list.map((run) => ({ run, key: runKey(run) }));
          const fresh = await ctx.metadata.countExecutionsByStatus(list.filter((r) => !finalCounts.has(r.id)).map((r) => r.id));
          return list.map((run) => {
            const counts = finalCounts.get(run.id) ?? fresh.get(run.id) ?? {};
            if (isFinal(run)) finalCounts.set(run.id, counts);
            return { run: { ...run, taskCounts: counts }, key: `${runKey(run)}|${JSON.stringify(counts)}` };
          });
        };
        const initial = await counted(await ctx.metadata.listRuns(filter));
        const seen = new Map(initial.map((r) => [r.run.id, r.key]));
        const stream = new EventStream(req, res, ctx, runListStreamEvents);
        stream.send('snapshot', { runs: initial.map((r) => r.run) });
        void pollLoop(stream, ctx.live, ctx.logger, async () => {
          const runs = await ctx.metadata.listRuns(filter);
          // Oldest change first, so a client applying events in order ends with the newest state.
          for (const { run, key } of (await counted(runs)).reverse()) {
            if (seen.get(run.id) === key) continue;
            seen.set(run.id, key);
            stream.send('run', { run });
          }
          // With a status filter, a run that changed status leaves the list: say so once, so the
          // client can drop it (a run that only ages out of the window is not a change).
          if (query.status !== undefined) {
            const present = new Set(runs.map((r) => r.id));
            for (const id of [...seen.keys()].filter((id) => !present.has(id))) {
              seen.delete(id);
              const run = await ctx.metadata.getRun(id);
              if (run && run.status !== query.status) stream.send('run', { run: (await counted([run]))[0]?.run ?? run });
            }
          }
          return 'more';
        });
        return undefined;
      },
    }),
    implement('streamRun', {
      handler: async ({ params, query, req, res }) => {
        let run = await requireRun(ctx, params.runId);
        // An EventSource reconnects when the server ends the stream; once the run has ended, 204
        // tells it to stop (the first connection already had everything, up to `end`).
        if (isFinal(run) && req.headers['last-event-id'] !== undefined) return { status: 204 };
        const stream = new EventStream(req, res, ctx, runStreamEvents);
        stream.send('run', { run });

        let lastRun = runKey(run);
        const tasks = new Map<string, string>();
        const executions = new Map<string, string>();
        const logSeq = new Map<string, number>();

        const drainLogs = async (execution: ExecutionRecord): Promise<void> => {
          if (query.task !== undefined && execution.taskId !== query.task) return;
          for (;;) {
            const after = logSeq.get(execution.id) ?? 0;
            const lines = await ctx.metadata.listTaskLogs({ runId: run.id, executionId: execution.id, afterSeq: after, limit: LOG_BATCH });
            for (const line of lines) stream.send('log', line);
            const last = lines[lines.length - 1];
            if (last) logSeq.set(execution.id, last.seq);
            if (lines.length < LOG_BATCH || stream.closed) return;
          }
        };

        // A run that ends while streaming gets one last status query: the workflow's final task
        // states (a loop's or a nested pipeline's, which have no execution row) arrive before `end`.
        let sawLive = !isFinal(run);
        // The workflow's close wakes the loop, so `end` follows the run's end at once, not up to
        // pollMs later (`sluice run` waits for it: bench/cliStartup.ts). Its final record is written
        // before it closes (finishRun); aborted with the stream.
        const closed = isFinal(run) ? undefined : workflowClosed(ctx, run, stream.signal);
        void pollLoop(stream, ctx.live, ctx.logger, async () => {
          run = await requireRun(ctx, run.id);
          const final = isFinal(run);
          const live = !final ? await liveStatus(ctx, run) : sawLive ? await liveStatus(ctx, run).catch(() => undefined) : undefined;
          sawLive = !final;
          for (const [task, status] of Object.entries(live?.tasks ?? {})) {
            const json = JSON.stringify(status);
            if (tasks.get(task) === json) continue;
            tasks.set(task, json);
            stream.send('task', { task, ...status });
          }
          for (const execution of await ctx.metadata.listExecutions(run.id)) {
            const key = executionKey(execution);
            const changed = executions.get(execution.id) !== key;
            if (changed) {
              executions.set(execution.id, key);
              stream.send('execution', { execution });
            }
            // Running executions write lines; a changed or final one may have flushed its last ones.
            if (changed || execution.status === 'running' || final) await drainLogs(execution);
          }
          const key = runKey(run);
          if (key !== lastRun) {
            lastRun = key;
            stream.send('run', { run });
          }
          if (!final) return 'more';
          stream.send('end', { run });
          return 'done';
        }, closed);
        return undefined;
      },
    }),
  ];
}
