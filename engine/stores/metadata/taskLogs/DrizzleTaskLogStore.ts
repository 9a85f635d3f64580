/** TaskLogStore over drizzle: `task_logs` (joined to `executions` for the task id and order). */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { refusingMissingReferences, sqlState } from '../database';
import type { MetadataDatabase } from '../database';
import { executions, taskLogs } from '../schema';
import type { TaskLogFilter, TaskLogInput, TaskLogRecord, TaskLogStore } from './TaskLogStore';

/** Tries of a log append that lost the race for its seqs to a concurrent writer of the execution. */
const APPEND_TRIES = 8;

export class DrizzleTaskLogStore implements TaskLogStore {
  constructor(private readonly db: MetadataDatabase) {}

  async appendTaskLogs(
    target: { runId: string; executionId: string; attempt: number },
    lines: TaskLogInput[],
  ): Promise<void> {
    if (lines.length === 0) return;
    // One JSON parameter however many lines; NUL is the one character text and jsonb cannot hold.
    const payload = JSON.stringify(
      lines.map((l) => ({
        line: l.line ?? null,
        ts: l.ts.toISOString(),
        stream: l.stream,
        level: l.level ?? null,
        message: l.message,
        fields: l.fields ?? null,
      })),
      (_key, value: unknown) => (typeof value === 'string' ? value.replace(/\0/g, '') : value),
    );
    // Seqs continue the execution's last one; a concurrent writer of the same execution (a stale
    // attempt still running) may take them first, which the primary key reports: read again, retry.
    const query = sql`
      insert into ${taskLogs} (run_id, execution_id, seq, attempt, line, ts, stream, level, message, fields)
      select ${target.runId}, ${target.executionId}, base.seq + t.ord, ${target.attempt}::int,
             coalesce((t.v->>'line')::int, base.line + t.ord), (t.v->>'ts')::timestamptz, t.v->>'stream',
             t.v->>'level', t.v->>'message', nullif(t.v->'fields', 'null'::jsonb)
      from jsonb_array_elements(${payload}::jsonb) with ordinality as t(v, ord)
      cross join (
        select coalesce(max(seq), 0) as seq,
               coalesce(max(line) filter (where attempt = ${target.attempt}::int), 0) as line
        from ${taskLogs} where execution_id = ${target.executionId}
      ) base
      order by t.ord
      on conflict (execution_id, attempt, line) do nothing`;
    await refusingMissingReferences(
      () =>
        `cannot append log lines to execution ${target.executionId} of run ${target.runId}: no such execution ` +
        '(start it with startExecution first)',
      async () => {
        for (let tries = 1; ; tries++) {
          try {
            await this.db.execute(query);
            return;
          } catch (error) {
            if (sqlState(error) === '23505' && tries < APPEND_TRIES) continue;
            throw error;
          }
        }
      },
    );
  }

  async listTaskLogs(filter: TaskLogFilter): Promise<TaskLogRecord[]> {
    const conditions: SQL[] = [eq(taskLogs.runId, filter.runId)];
    if (filter.taskId !== undefined) conditions.push(eq(executions.taskId, filter.taskId));
    if (filter.executionId !== undefined) conditions.push(eq(taskLogs.executionId, filter.executionId));
    if (filter.attempt !== undefined) conditions.push(eq(taskLogs.attempt, filter.attempt));
    if (filter.afterSeq !== undefined) conditions.push(gt(taskLogs.seq, filter.afterSeq));
    const oneExecution = filter.taskId !== undefined || filter.executionId !== undefined;
    const query = this.db
      .select({
        runId: taskLogs.runId,
        executionId: taskLogs.executionId,
        taskId: executions.taskId,
        attempt: taskLogs.attempt,
        seq: taskLogs.seq,
        ts: taskLogs.ts,
        stream: taskLogs.stream,
        level: taskLogs.level,
        message: taskLogs.message,
        fields: taskLogs.fields,
      })
      .from(taskLogs)
      .innerJoin(executions, eq(executions.id, taskLogs.executionId))
      .where(and(...conditions))
      .orderBy(
        ...(oneExecution
          ? [asc(executions.seq), asc(taskLogs.seq)]
          : [asc(taskLogs.ts), asc(executions.seq), asc(taskLogs.seq)]),
      );
    return filter.limit === undefined ? query : query.limit(filter.limit);
  }
}
