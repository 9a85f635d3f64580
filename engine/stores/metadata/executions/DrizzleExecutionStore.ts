/** ExecutionStore over drizzle: `executions` (and, for cache hits, their output events and artifacts). */
import { and, asc, count, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import { ARTIFACT_COLUMNS, recordArtifactsIn } from '../artifacts/DrizzleArtifactRecordStore';
import { recordEventsIn } from '../lineage/recordEvents';
import type { ArtifactRecord } from '../artifacts/ArtifactRecordStore';
import { insertAndRead, refusingMissingReferences, rowExists } from '../database';
import type { MetadataDatabase } from '../database';
import { MetadataStoreError } from '../errors';
import { artifacts, events, executions } from '../schema';
import type { CachedExecution, ExecutionRecord, ExecutionStatus, ExecutionStore } from './ExecutionStore';

/** The columns of an ExecutionRecord, for selects and RETURNING alike. */
export const EXECUTION_COLUMNS = {
  id: executions.id,
  runId: executions.runId,
  taskId: executions.taskId,
  componentName: executions.componentName,
  componentDigest: executions.componentDigest,
  status: executions.status,
  attempt: executions.attempt,
  params: executions.params,
  outputParams: executions.outputParams,
  error: executions.error,
  cacheKey: executions.cacheKey,
  cachedFrom: executions.cachedFrom,
  startedAt: executions.startedAt,
  finishedAt: executions.finishedAt,
};

/** Rows recordExecution may still change; any other status is final. */
const OPEN_EXECUTION_STATUSES: ExecutionStatus[] = ['running', 'waiting'];

export class DrizzleExecutionStore implements ExecutionStore {
  constructor(private readonly db: MetadataDatabase) {}

  async startExecution(e: Parameters<ExecutionStore['startExecution']>[0]): Promise<ExecutionRecord> {
    const inputs = e.inputs ?? [];
    // One statement needs no transaction of its own; the row and its input events go together.
    if (inputs.length === 0) return startExecutionIn(this.db, e);
    return this.db.transaction(async (tx) => {
      const stored = await startExecutionIn(tx, e);
      await recordEventsIn(
        tx,
        inputs.map((i) => ({ executionId: e.id, artifactId: i.artifactId, kind: 'input' as const, port: i.port })),
      );
      return stored;
    });
  }

  async completeExecution(id: string, result: Parameters<ExecutionStore['completeExecution']>[1]): Promise<Record<string, ArtifactRecord>> {
    const outputs = Object.entries(result.outputs ?? {});
    const finish = { status: 'succeeded' as const, outputParams: result.outputParams, attempt: result.attempt, ...(result.finishedAt ? { finishedAt: result.finishedAt } : {}) };
    if (outputs.length === 0) {
      await finishExecutionIn(this.db, id, finish);
      return {};
    }
    return this.db.transaction(async (tx) => {
      // The row first: an unknown execution is refused before anything else is written.
      await finishExecutionIn(tx, id, finish);
      const stored = await recordArtifactsIn(
        tx,
        outputs.map(([, a]) => a),
      );
      await recordEventsIn(
        tx,
        outputs.map(([port, a]) => ({ executionId: id, artifactId: a.id, kind: 'output' as const, port })),
      );
      const byPort: Record<string, ArtifactRecord> = {};
      for (const [port, a] of outputs) {
        const record = stored.get(a.id);
        if (!record) throw new Error(`artifact ${a.id} vanished right after it was written`);
        byPort[port] = record;
      }
      return byPort;
    });
  }

  async finishExecution(id: string, result: Parameters<ExecutionStore['finishExecution']>[1]): Promise<void> {
    await finishExecutionIn(this.db, id, result);
  }

  async recordExecution(e: Parameters<ExecutionStore['recordExecution']>[0]): Promise<ExecutionRecord> {
    const finishedAt = e.status === 'waiting' ? null : (e.finishedAt ?? sql`now()`);
    return insertAndRead(
      `execution ${e.id}`,
      () =>
        refusingMissingReferences(
          () => `cannot record execution ${e.id}: run ${e.runId}${e.cachedFrom ? ` or reused execution ${e.cachedFrom}` : ''} does not exist`,
          async () => {
            await this.db
              .insert(executions)
              .values({
                ...identityOf(e),
                status: e.status,
                params: e.params,
                outputParams: e.outputParams ?? null,
                error: e.error ?? null,
                cacheKey: e.cacheKey ?? null,
                cachedFrom: e.cachedFrom ?? null,
                startedAt: e.startedAt ?? sql`now()`,
                finishedAt,
              })
              .onConflictDoUpdate({
                target: executions.id,
                set: {
                  status: sql`excluded.status`,
                  params: sql`excluded.params`,
                  outputParams: sql`excluded.output_params`,
                  error: sql`excluded.error`,
                  cacheKey: sql`excluded.cache_key`,
                  cachedFrom: sql`excluded.cached_from`,
                  finishedAt: sql`excluded.finished_at`,
                },
                setWhere: inArray(executions.status, OPEN_EXECUTION_STATUSES),
              });
          },
        ),
      () => this.getExecution(e.id),
    );
  }

  async findCachedExecution(
    cacheKey: string,
    options: { maxAgeMs?: number; now?: Date } = {},
  ): Promise<CachedExecution | undefined> {
    const conditions = [eq(executions.cacheKey, cacheKey), eq(executions.status, 'succeeded')];
    if (options.maxAgeMs !== undefined) {
      // The database's clock by default: it stamped finished_at, and may run on another host.
      const cutoff = options.now
        ? sql`${new Date(options.now.getTime() - options.maxAgeMs).toISOString()}::timestamptz`
        : sql`now() - (${options.maxAgeMs}::double precision * interval '1 millisecond')`;
      conditions.push(gte(executions.finishedAt, cutoff));
    }
    const [execution] = await selectExecutions(this.db)
      .where(and(...conditions))
      .orderBy(sql`${executions.finishedAt} desc nulls last`, desc(executions.seq))
      .limit(1);
    if (!execution) return undefined;
    const rows = await this.db
      .select({ ...ARTIFACT_COLUMNS, port: events.port })
      .from(events)
      .innerJoin(artifacts, eq(artifacts.id, events.artifactId))
      .where(and(eq(events.executionId, execution.id), eq(events.kind, 'output')))
      .orderBy(asc(events.port));
    const outputs: Record<string, ArtifactRecord> = {};
    for (const { port, ...artifact } of rows) outputs[port] = artifact;
    return { execution, outputs };
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    const [execution] = await selectExecutions(this.db).where(eq(executions.id, id));
    return execution;
  }

  async listExecutions(runId: string): Promise<ExecutionRecord[]> {
    return selectExecutions(this.db)
      .where(eq(executions.runId, runId))
      .orderBy(asc(executions.startedAt), asc(executions.seq));
  }

  async countExecutionsByStatus(runIds: readonly string[]): Promise<Map<string, Partial<Record<ExecutionStatus, number>>>> {
    const counts = new Map<string, Partial<Record<ExecutionStatus, number>>>(runIds.map((id) => [id, {}]));
    if (runIds.length === 0) return counts;
    const rows = await this.db
      .select({ runId: executions.runId, status: executions.status, n: count() })
      .from(executions)
      .where(inArray(executions.runId, [...runIds]))
      .groupBy(executions.runId, executions.status);
    for (const r of rows) {
      const c = counts.get(r.runId);
      if (c) c[r.status] = Number(r.n);
    }
    return counts;
  }
}

/** startExecution's upsert (see ExecutionStore), on a database or a transaction. */
async function startExecutionIn(db: MetadataDatabase, e: Parameters<ExecutionStore['startExecution']>[0]): Promise<ExecutionRecord> {
  return insertAndRead(
    `execution ${e.id}`,
    async () => {
        const [written] = await db
          .insert(executions)
          .values({
            ...identityOf(e),
            status: 'running',
            attempt: e.attempt,
            params: e.params,
            cacheKey: e.cacheKey ?? null,
            startedAt: e.startedAt ?? sql`now()`,
          })
          .onConflictDoUpdate({
            target: executions.id,
            set: {
              status: 'running',
              attempt: e.countAttemptsFromRow ? sql`greatest(excluded.attempt, ${executions.attempt} + 1)` : sql`excluded.attempt`,
              params: sql`excluded.params`,
              cacheKey: sql`excluded.cache_key`,
              startedAt: sql`excluded.started_at`,
              // A new attempt starts clean: the previous attempt's result no longer describes the row.
              finishedAt: null,
              error: null,
              outputParams: null,
              cachedFrom: null,
            },
            // A newer attempt wins; the same attempt may repeat its start only while still running, so
            // a re-delivered start never reopens a finished execution and a stale attempt changes nothing.
            setWhere: e.countAttemptsFromRow
              ? sql`${executions.status} not in ('succeeded', 'cached')`
              : sql`${executions.attempt} < excluded.attempt
              or (${executions.attempt} = excluded.attempt and ${executions.status} = 'running')`,
          })
          .returning(EXECUTION_COLUMNS);
        // No row back when the guard kept the stored row: insertAndRead reads that one instead.
        return written;
    },
    () => selectExecutions(db).where(eq(executions.id, e.id)).then(([row]) => row),
  );
}

/** finishExecution's guarded update (see ExecutionStore), on a database or a transaction. */
async function finishExecutionIn(db: MetadataDatabase, id: string, result: Parameters<ExecutionStore['finishExecution']>[1]): Promise<void> {
    const conditions = [eq(executions.id, id)];
    if (result.attempt !== undefined) conditions.push(eq(executions.attempt, result.attempt));
    const updated = await db
      .update(executions)
      .set({
        status: result.status,
        error: result.error ?? null,
        outputParams: result.outputParams,
        cachedFrom: result.cachedFrom,
        cacheKey: result.cacheKey,
        finishedAt: result.finishedAt ?? sql`now()`,
      })
      .where(and(...conditions))
      .returning({ id: executions.id });
    if (updated.length === 0 && !(await rowExists(db, executions, executions.id, id))) {
      throw new MetadataStoreError(
        'not_found',
        `cannot finish execution ${id}: no such execution (start it with startExecution first)`,
      );
    }
}

/** What names an execution: the columns that both of its inserts (start, record) take from the caller. */
function identityOf(e: Pick<ExecutionRecord, 'id' | 'runId' | 'taskId' | 'componentName' | 'componentDigest'>) {
  return { id: e.id, runId: e.runId, taskId: e.taskId, componentName: e.componentName, componentDigest: e.componentDigest };
}

/** Executions as ExecutionRecords, for the lineage store too. */
export function selectExecutions(db: MetadataDatabase) {
  return db.select(EXECUTION_COLUMNS).from(executions);
}
