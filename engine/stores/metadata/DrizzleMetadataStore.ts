/**
 * The metadata store over drizzle-orm, written once against the pg-core base type so the same code
 * runs on PGlite (`drizzle-orm/pglite`) and on PostgreSQL (`drizzle-orm/node-postgres`). The
 * backend-specific parts (opening, migrating, closing) come in through the constructor; see
 * openMetadataStore.ts.
 *
 * Every write is idempotent (ON CONFLICT), because activities retry and may be delivered twice,
 * and a write of several rows is one transaction, so a refused row leaves none of the others.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { and, asc, count, desc, eq, gt, gte, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { AnyColumn, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { PipelineSpec } from '../../../dsl/ir/schema';
import { MetadataStoreError } from './errors';
import type {
  ApiRole,
  ApiTokenRecord,
  ArtifactRecord,
  CachedExecution,
  EventRecord,
  ExecutionRecord,
  ExperimentRecord,
  ExecutionStatus,
  Json,
  LineageEdge,
  LineageGraph,
  LineageNeighbours,
  LineageNode,
  LoopItemInput,
  LoopItemRecord,
  LoopItemStatus,
  MetadataStore,
  MetricRecord,
  PipelineRecord,
  PipelineVersionRecord,
  PipelineVersionSummary,
  ReuseCount,
  RunFilter,
  RunRecord,
  RunStatus,
  TaskLogFilter,
  TaskLogInput,
  TaskLogRecord,
} from './MetadataStore';
import {
  apiTokens,
  artifacts,
  events,
  executions,
  experimentRuns,
  experiments,
  loopItems,
  metrics,
  pipelines,
  pipelineVersions,
  runs,
  taskLogs,
} from './schema';

/** Any drizzle Postgres database (PGlite or node-postgres); the store needs nothing backend-specific. */
export type MetadataDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/**
 * The checked-in drizzle-kit migrations, found next to this source file so that the store works
 * whatever the current directory of the process is.
 */
export const METADATA_MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));
/** Own bookkeeping table, so Sluice can share a database with other drizzle applications. */
export const METADATA_MIGRATIONS_TABLE = 'sluice_metadata_migrations';

export interface DrizzleMetadataStoreOptions {
  db: MetadataDatabase;
  /** Applies METADATA_MIGRATIONS_FOLDER with the backend's drizzle migrator. */
  migrate: () => Promise<void>;
  /** Releases the client or pool. */
  close: () => Promise<void>;
  /** For logs, e.g. "PGlite at /x/.sluice/db" or "PostgreSQL at db:5432/sluice". */
  description: string;
}

/** The columns of an ExecutionRecord, for selects and RETURNING alike. */
const EXECUTION_COLUMNS = {
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

const FINAL_RUN_STATUSES: RunStatus[] = ['succeeded', 'failed', 'cancelled'];
/** Rows recordExecution may still change; any other status is final. */
const OPEN_EXECUTION_STATUSES: ExecutionStatus[] = ['running', 'waiting'];
/** Rows per INSERT of loop items: far below the protocol's 65,535 parameters. */
const LOOP_ITEM_CHUNK = 1000;
/** Tries of a log append that lost the race for its seqs to a concurrent writer of the execution. */
const APPEND_TRIES = 8;
/** Deeper than any real pipeline chain; lineage() clamps its depth to this. */
const MAX_LINEAGE_DEPTH = 1000;
const NO_REUSE: ReuseCount = { executions: 0, runs: 0 };

export class DrizzleMetadataStore implements MetadataStore {
  readonly description: string;
  private readonly db: MetadataDatabase;
  private readonly options: DrizzleMetadataStoreOptions;
  private closed: Promise<void> | undefined;

  constructor(options: DrizzleMetadataStoreOptions) {
    this.options = options;
    this.db = options.db;
    this.description = options.description;
  }

  async migrate(): Promise<void> {
    await this.options.migrate();
  }

  /** Idempotent: a second call waits for the first instead of ending the pool twice. */
  close(): Promise<void> {
    this.closed ??= this.options.close();
    return this.closed;
  }

  // ---- pipelines ----------------------------------------------------------------------------

  async registerPipelineVersion(spec: PipelineSpec, digest: string): Promise<PipelineVersionRecord> {
    return this.db.transaction((tx) => this.registerVersionIn(tx, spec, digest));
  }

  /**
   * The pipeline row and the version row, inside the caller's transaction: a version the database
   * refuses leaves no pipeline without versions. Idempotent upserts: under READ COMMITTED a
   * concurrent registration of the same name or digest waits on the unique index for ours to
   * commit, then reads the row that won.
   */
  private async registerVersionIn(db: MetadataDatabase, spec: PipelineSpec, digest: string): Promise<PipelineVersionRecord> {
    await db
      .insert(pipelines)
      .values({ id: randomUUID(), name: spec.name })
      .onConflictDoNothing({ target: pipelines.name });
    const [pipeline] = await db.select({ id: pipelines.id }).from(pipelines).where(eq(pipelines.name, spec.name));
    if (!pipeline) throw new Error(`pipeline "${spec.name}" vanished while registering a version`);
    await db
      .insert(pipelineVersions)
      .values({ id: randomUUID(), pipelineId: pipeline.id, digest, spec })
      .onConflictDoNothing({ target: [pipelineVersions.pipelineId, pipelineVersions.digest] });
    const [version] = await this.selectVersions(db).where(
      and(eq(pipelineVersions.pipelineId, pipeline.id), eq(pipelineVersions.digest, digest)),
    );
    if (!version) throw new Error(`version ${digest} of pipeline "${spec.name}" vanished while registering it`);
    return version;
  }

  async recordSubmittedRun(input: Parameters<MetadataStore['recordSubmittedRun']>[0]): Promise<{ version: PipelineVersionRecord; run: RunRecord }> {
    // One transaction (on PGlite every statement inside must use `tx`: the connection is held).
    const version = await this.db
      .transaction(async (tx) => {
        const registered = await this.registerVersionIn(tx, input.spec, input.digest);
        await this.insertRun(tx, { ...input.run, pipelineId: registered.pipelineId, pipelineVersionId: registered.id });
        if (input.experimentId !== undefined) {
          await tx.insert(experimentRuns).values({ experimentId: input.experimentId, runId: input.run.id }).onConflictDoNothing();
        }
        return registered;
      })
      .catch((error: unknown) => {
        if (sqlState(error) === '23503' && input.experimentId !== undefined) {
          throw new MetadataStoreError('not_found', `cannot add run ${input.run.id} to experiment ${input.experimentId}: no such experiment`, { cause: error });
        }
        throw error;
      });
    const run = await this.getRun(input.run.id);
    if (!run) throw new Error(`run ${input.run.id} vanished right after it was created`);
    return { version, run };
  }

  async updatePipelineVersionLayout(id: string, spec: PipelineSpec): Promise<PipelineVersionRecord> {
    await this.db.update(pipelineVersions).set({ spec }).where(eq(pipelineVersions.id, id));
    const version = await this.getPipelineVersion(id);
    if (!version) throw new Error(`no pipeline version ${id} to update the layout of`);
    return version;
  }

  async getPipelineVersion(id: string): Promise<PipelineVersionRecord | undefined> {
    const [version] = await this.selectVersions().where(eq(pipelineVersions.id, id));
    return version;
  }

  async listPipelines(): Promise<PipelineRecord[]> {
    return this.db
      .select({ id: pipelines.id, name: pipelines.name, createdAt: pipelines.createdAt })
      .from(pipelines)
      .orderBy(asc(pipelines.name));
  }

  private selectVersions(db: MetadataDatabase = this.db) {
    return db
      .select({
        id: pipelineVersions.id,
        pipelineId: pipelineVersions.pipelineId,
        pipelineName: pipelines.name,
        digest: pipelineVersions.digest,
        spec: pipelineVersions.spec,
        createdAt: pipelineVersions.createdAt,
      })
      .from(pipelineVersions)
      .innerJoin(pipelines, eq(pipelines.id, pipelineVersions.pipelineId));
  }

  // ---- runs ---------------------------------------------------------------------------------

  async createRun(run: {
    id: string;
    pipelineVersionId: string;
    params: Record<string, Json>;
    trigger: Record<string, Json>;
    workflowId: string;
  }): Promise<RunRecord> {
    const version = await this.getPipelineVersion(run.pipelineVersionId);
    if (!version) {
      throw new MetadataStoreError(
        'not_found',
        `cannot create run ${run.id}: pipeline version ${run.pipelineVersionId} is not registered ` +
          '(register it with registerPipelineVersion first)',
      );
    }
    await this.insertRun(this.db, { ...run, pipelineId: version.pipelineId });
    const stored = await this.getRun(run.id);
    if (!stored) throw new Error(`run ${run.id} vanished right after it was created`);
    return stored;
  }

  /** Idempotent: a run id written before (an activity's retry) is left as it is. */
  private async insertRun(
    db: MetadataDatabase,
    run: { id: string; pipelineId: string; pipelineVersionId: string; params: Record<string, Json>; trigger: Record<string, Json>; workflowId: string },
  ): Promise<void> {
    await db
      .insert(runs)
      .values({
        id: run.id,
        pipelineId: run.pipelineId,
        pipelineVersionId: run.pipelineVersionId,
        params: run.params,
        trigger: run.trigger,
        workflowId: run.workflowId,
      })
      .onConflictDoNothing({ target: runs.id });
  }

  async updateRun(
    id: string,
    patch: {
      status: RunStatus;
      startedAt?: Date;
      finishedAt?: Date;
      error?: string | null;
      failedTask?: string | null;
      outputs?: Record<string, Json> | null;
    },
  ): Promise<void> {
    const final = FINAL_RUN_STATUSES.includes(patch.status);
    const updated = await this.db
      .update(runs)
      .set({
        status: patch.status,
        // drizzle leaves out keys whose value is undefined: only the given fields change.
        error: patch.error,
        failedTask: patch.failedTask,
        outputs: patch.outputs,
        startedAt:
          patch.startedAt ?? (patch.status === 'running' ? sql`coalesce(${runs.startedAt}, now())` : undefined),
        finishedAt: patch.finishedAt ?? (final ? sql`coalesce(${runs.finishedAt}, now())` : undefined),
      })
      // The guard that keeps a finished run final, also against a late or re-delivered update.
      .where(and(eq(runs.id, id), notInArray(runs.status, FINAL_RUN_STATUSES)))
      .returning({ id: runs.id });
    if (updated.length === 0 && !(await this.exists(runs, runs.id, id))) {
      throw new MetadataStoreError('not_found', `cannot update run ${id}: no such run (create it with createRun first)`);
    }
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const [run] = await this.selectRuns().where(eq(runs.id, id));
    return run;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const conditions: SQL[] = [];
    if (filter.pipelineName !== undefined) conditions.push(eq(pipelines.name, filter.pipelineName));
    if (filter.status !== undefined) conditions.push(eq(runs.status, filter.status));
    if (filter.triggerKind !== undefined) conditions.push(sql`${runs.trigger}->>'kind' = ${filter.triggerKind}`);
    if (filter.createdFrom !== undefined) conditions.push(gte(runs.createdAt, filter.createdFrom));
    if (filter.createdTo !== undefined) conditions.push(lt(runs.createdAt, filter.createdTo));
    if (filter.experimentId !== undefined) {
      conditions.push(
        sql`exists (select 1 from ${experimentRuns} where ${experimentRuns.runId} = ${runs.id} and ${experimentRuns.experimentId} = ${filter.experimentId})`,
      );
    }
    if (filter.after !== undefined) {
      // The list order is (created_at desc, seq desc): "after" is strictly smaller in that pair.
      conditions.push(
        sql`(${runs.createdAt}, ${runs.seq}) < (select c.created_at, c.seq from ${runs} c where c.id = ${filter.after})`,
      );
    }
    const query = this.selectRuns()
      .where(and(...conditions))
      .orderBy(desc(runs.createdAt), desc(runs.seq));
    return filter.limit === undefined ? query : query.limit(filter.limit);
  }

  private selectRuns() {
    return this.db
      .select({
        id: runs.id,
        pipelineVersionId: runs.pipelineVersionId,
        pipelineName: pipelines.name,
        status: runs.status,
        params: runs.params,
        trigger: runs.trigger,
        workflowId: runs.workflowId,
        failedTask: runs.failedTask,
        error: runs.error,
        outputs: runs.outputs,
        createdAt: runs.createdAt,
        startedAt: runs.startedAt,
        finishedAt: runs.finishedAt,
      })
      .from(runs)
      .innerJoin(pipelines, eq(pipelines.id, runs.pipelineId));
  }

  // ---- executions ---------------------------------------------------------------------------

  async startExecution(e: {
    id: string;
    runId: string;
    taskId: string;
    componentName: string;
    componentDigest: string;
    attempt: number;
    params: Record<string, Json>;
    cacheKey?: string | null;
    startedAt?: Date;
  }): Promise<ExecutionRecord> {
    const written = await this.db
      .insert(executions)
      .values({
        id: e.id,
        runId: e.runId,
        taskId: e.taskId,
        componentName: e.componentName,
        componentDigest: e.componentDigest,
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
          attempt: sql`excluded.attempt`,
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
        setWhere: sql`${executions.attempt} < excluded.attempt
          or (${executions.attempt} = excluded.attempt and ${executions.status} = 'running')`,
      })
      .returning(EXECUTION_COLUMNS);
    // No row back when the guard kept the stored row: read that one instead.
    const stored = written[0] ?? (await this.getExecution(e.id));
    if (!stored) throw new Error(`execution ${e.id} vanished right after it was started`);
    return stored;
  }

  async finishExecution(
    id: string,
    result: {
      status: ExecutionStatus;
      error?: string | null;
      outputParams?: Record<string, Json> | null;
      finishedAt?: Date;
      cachedFrom?: string | null;
      cacheKey?: string | null;
      attempt?: number;
    },
  ): Promise<void> {
    const conditions = [eq(executions.id, id)];
    if (result.attempt !== undefined) conditions.push(eq(executions.attempt, result.attempt));
    const updated = await this.db
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
    if (updated.length === 0 && !(await this.exists(executions, executions.id, id))) {
      throw new MetadataStoreError(
        'not_found',
        `cannot finish execution ${id}: no such execution (start it with startExecution first)`,
      );
    }
  }

  async recordExecution(e: Parameters<MetadataStore['recordExecution']>[0]): Promise<ExecutionRecord> {
    const finishedAt = e.status === 'waiting' ? null : (e.finishedAt ?? sql`now()`);
    try {
      await this.db
        .insert(executions)
        .values({
          id: e.id,
          runId: e.runId,
          taskId: e.taskId,
          componentName: e.componentName,
          componentDigest: e.componentDigest,
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
    } catch (error) {
      if (sqlState(error) === '23503') {
        throw new MetadataStoreError(
          'not_found',
          `cannot record execution ${e.id}: run ${e.runId}${e.cachedFrom ? ` or reused execution ${e.cachedFrom}` : ''} does not exist`,
          { cause: error },
        );
      }
      throw error;
    }
    const stored = await this.getExecution(e.id);
    if (!stored) throw new Error(`execution ${e.id} vanished right after it was recorded`);
    return stored;
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
    const [execution] = await this.selectExecutions()
      .where(and(...conditions))
      .orderBy(sql`${executions.finishedAt} desc nulls last`, desc(executions.seq))
      .limit(1);
    if (!execution) return undefined;
    const rows = await this.db
      .select({ ...artifactColumns, port: events.port })
      .from(events)
      .innerJoin(artifacts, eq(artifacts.id, events.artifactId))
      .where(and(eq(events.executionId, execution.id), eq(events.kind, 'output')))
      .orderBy(asc(events.port));
    const outputs: Record<string, ArtifactRecord> = {};
    for (const { port, ...artifact } of rows) outputs[port] = artifact;
    return { execution, outputs };
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    const [execution] = await this.selectExecutions().where(eq(executions.id, id));
    return execution;
  }

  async listExecutions(runId: string): Promise<ExecutionRecord[]> {
    return this.selectExecutions()
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

  private selectExecutions() {
    return this.db.select(EXECUTION_COLUMNS).from(executions);
  }

  // ---- artifacts and events -----------------------------------------------------------------

  async recordArtifact(a: Omit<ArtifactRecord, 'createdAt'>): Promise<ArtifactRecord> {
    await this.db
      .insert(artifacts)
      .values({
        id: a.id,
        type: a.type,
        name: a.name,
        uri: a.uri,
        sha256: a.sha256,
        size: a.size,
        properties: a.properties,
      })
      .onConflictDoNothing({ target: artifacts.id });
    const stored = await this.getArtifact(a.id);
    if (!stored) throw new Error(`artifact ${a.id} vanished right after it was recorded`);
    return stored;
  }

  async getArtifact(id: string): Promise<ArtifactRecord | undefined> {
    const [artifact] = await this.db.select(artifactColumns).from(artifacts).where(eq(artifacts.id, id));
    return artifact;
  }

  async listArtifacts(filter: { type?: string; name?: string; createdFrom?: Date; limit?: number }): Promise<ArtifactRecord[]> {
    const conditions: SQL[] = [];
    if (filter.type !== undefined) conditions.push(eq(artifacts.type, filter.type));
    if (filter.name !== undefined) conditions.push(eq(artifacts.name, filter.name));
    if (filter.createdFrom !== undefined) conditions.push(gte(artifacts.createdAt, filter.createdFrom));
    const query = this.db.select(artifactColumns).from(artifacts).where(and(...conditions)).orderBy(asc(artifacts.createdAt), asc(artifacts.id));
    return filter.limit === undefined ? query : query.limit(filter.limit);
  }

  async recordEvent(e: EventRecord): Promise<void> {
    await this.db
      .insert(events)
      .values({ executionId: e.executionId, artifactId: e.artifactId, kind: e.kind, port: e.port })
      .onConflictDoNothing({ target: [events.executionId, events.artifactId, events.kind, events.port] });
  }

  async listEvents(filter: { executionId?: string; artifactId?: string; runId?: string }): Promise<EventRecord[]> {
    const conditions: SQL[] = [];
    if (filter.executionId !== undefined) conditions.push(eq(events.executionId, filter.executionId));
    if (filter.artifactId !== undefined) conditions.push(eq(events.artifactId, filter.artifactId));
    if (filter.runId !== undefined) conditions.push(eq(executions.runId, filter.runId));
    return this.db
      .select(eventColumns)
      .from(events)
      .innerJoin(executions, eq(executions.id, events.executionId))
      .where(and(...conditions))
      .orderBy(asc(executions.seq), asc(events.kind), asc(events.port), asc(events.artifactId));
  }

  async listEventsBetween(nodes: { artifactIds: readonly string[]; executionIds: readonly string[] }): Promise<EventRecord[]> {
    if (nodes.artifactIds.length === 0 || nodes.executionIds.length === 0) return [];
    return this.db
      .select(eventColumns)
      .from(events)
      .innerJoin(executions, eq(executions.id, events.executionId))
      .where(and(anyOf(events.artifactId, [...nodes.artifactIds]), anyOf(events.executionId, [...nodes.executionIds])))
      .orderBy(asc(executions.seq), asc(events.kind), asc(events.port), asc(events.artifactId));
  }

  async listRunArtifacts(runId: string): Promise<(ArtifactRecord & { taskId: string; port: string; reused: boolean })[]> {
    return this.db
      .select({ ...artifactColumns, taskId: executions.taskId, port: events.port, reused: sql<boolean>`${events.kind} = 'reused'`.mapWith(Boolean) })
      .from(events)
      .innerJoin(executions, eq(executions.id, events.executionId))
      .innerJoin(artifacts, eq(artifacts.id, events.artifactId))
      .where(and(eq(executions.runId, runId), inArray(events.kind, ['output', 'reused'])))
      .orderBy(asc(executions.seq), asc(events.port));
  }

  // ---- metrics ------------------------------------------------------------------------------

  async recordMetric(m: MetricRecord): Promise<void> {
    await this.db
      .insert(metrics)
      .values({ runId: m.runId, executionId: m.executionId, key: m.key, value: m.value, step: m.step, stepLabel: m.stepLabel ?? null })
      .onConflictDoUpdate({
        target: [metrics.executionId, metrics.key, metrics.step],
        set: { value: sql`excluded.value`, runId: sql`excluded.run_id`, stepLabel: sql`excluded.step_label` },
      });
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

  // ---- task logs ----------------------------------------------------------------------------

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
    for (let tries = 1; ; tries++) {
      try {
        await this.db.execute(query);
        return;
      } catch (error) {
        const state = sqlState(error);
        if (state === '23505' && tries < APPEND_TRIES) continue;
        if (state === '23503') {
          throw new MetadataStoreError(
            'not_found',
            `cannot append log lines to execution ${target.executionId} of run ${target.runId}: no such execution ` +
              '(start it with startExecution first)',
            { cause: error },
          );
        }
        throw error;
      }
    }
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

  // ---- loop items ---------------------------------------------------------------------------

  async recordLoopItems(runId: string, loop: string, items: LoopItemInput[]): Promise<void> {
    // One row per index (the last one wins): ON CONFLICT cannot update a row twice in one statement.
    const byIndex = new Map<number, LoopItemInput>();
    for (const item of items) byIndex.set(item.index, item);
    const rows = [...byIndex.values()].map((item) => ({
      runId,
      loop,
      idx: item.index,
      status: item.status,
      outputs: item.outputs,
      error: item.error ?? null,
    }));
    if (rows.length === 0) return;
    try {
      // All chunks or none: a failed chunk leaves no earlier chunk recorded without the rest.
      await this.db.transaction(async (tx) => {
        for (let start = 0; start < rows.length; start += LOOP_ITEM_CHUNK) {
          await tx
            .insert(loopItems)
            .values(rows.slice(start, start + LOOP_ITEM_CHUNK))
            .onConflictDoUpdate({
              target: [loopItems.runId, loopItems.loop, loopItems.idx],
              set: {
                status: sql`excluded.status`,
                outputs: sql`excluded.outputs`,
                error: sql`excluded.error`,
                updatedAt: sql`now()`,
              },
            });
        }
      });
    } catch (error) {
      if (sqlState(error) === '23503') {
        throw new MetadataStoreError('not_found', `cannot record items of loop "${loop}": no run ${runId}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async listLoopItems(runId: string, loop: string, options: { status?: LoopItemStatus } = {}): Promise<LoopItemRecord[]> {
    const conditions = [eq(loopItems.runId, runId), eq(loopItems.loop, loop)];
    if (options.status !== undefined) conditions.push(eq(loopItems.status, options.status));
    return this.db
      .select({
        index: loopItems.idx,
        status: loopItems.status,
        outputs: loopItems.outputs,
        error: loopItems.error,
        updatedAt: loopItems.updatedAt,
      })
      .from(loopItems)
      .where(and(...conditions))
      .orderBy(asc(loopItems.idx));
  }

  // ---- lineage ------------------------------------------------------------------------------

  async lineage(
    artifactId: string,
    options: { direction: 'upstream' | 'downstream' | 'both'; depth: number },
  ): Promise<LineageGraph> {
    const root = await this.getArtifact(artifactId);
    if (!root) return { root: artifactId, nodes: [], edges: [], truncated: false };
    // A finite bound even for Infinity/NaN, so that bad data (a cycle) can never make the walk endless.
    const bound = Number.isFinite(options.depth)
      ? Math.min(MAX_LINEAGE_DEPTH, Math.max(0, Math.floor(options.depth)))
      : MAX_LINEAGE_DEPTH;

    const walks: Walk[] = [];
    if (options.direction !== 'downstream') walks.push(await this.walk(artifactId, 'upstream', bound));
    if (options.direction !== 'upstream') walks.push(await this.walk(artifactId, 'downstream', bound));

    // Merge the walks; a node reached both ways keeps its shorter distance.
    const artifactDepth = new Map<string, number>([[artifactId, 0]]);
    const executionDepth = new Map<string, number>();
    for (const w of walks) {
      for (const [id, d] of w.artifacts) artifactDepth.set(id, Math.min(d, artifactDepth.get(id) ?? d));
      for (const [id, d] of w.executions) executionDepth.set(id, Math.min(d, executionDepth.get(id) ?? d));
    }
    const artifactIds = [...artifactDepth.keys()];
    const executionIds = [...executionDepth.keys()];

    const [artifactRows, executionRows, eventRows] = await Promise.all([
      this.db.select(artifactColumns).from(artifacts).where(anyOf(artifacts.id, artifactIds)),
      executionIds.length === 0
        ? Promise.resolve([])
        : this.selectExecutions().where(anyOf(executions.id, executionIds)),
      // The edges are every event between two nodes of the graph (the induced subgraph), which
      // also shows links between the two sides of a 'both' walk.
      executionIds.length === 0
        ? Promise.resolve([])
        : this.db
            .select(eventColumns)
            .from(events)
            .where(and(anyOf(events.executionId, executionIds), anyOf(events.artifactId, artifactIds), inArray(events.kind, ['input', 'output']))),
    ]);
    const reuse = await this.reuseCounts(artifactIds, executionIds);

    const nodes: LineageNode[] = [
      ...artifactRows.map(
        (artifact): LineageNode => ({
          kind: 'artifact',
          id: artifact.id,
          depth: artifactDepth.get(artifact.id) ?? 0,
          artifact,
          reusedBy: reuse.get(artifact.id) ?? NO_REUSE,
        }),
      ),
      ...executionRows.map(
        (execution): LineageNode => ({
          kind: 'execution',
          id: execution.id,
          depth: executionDepth.get(execution.id) ?? 0,
          execution,
          reusedBy: reuse.get(execution.id) ?? NO_REUSE,
        }),
      ),
    ].sort((a, b) => a.depth - b.depth || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.id < b.id ? -1 : 1));

    const edges: LineageEdge[] = eventRows
      .map(
        (e): LineageEdge =>
          e.kind === 'input'
            ? { from: e.artifactId, to: e.executionId, kind: e.kind, port: e.port }
            : { from: e.executionId, to: e.artifactId, kind: e.kind, port: e.port },
      )
      .sort((a, b) => (a.from + a.to + a.port < b.from + b.to + b.port ? -1 : 1));

    return { root: artifactId, nodes, edges, truncated: walks.some((w) => w.truncated) };
  }

  /**
   * One direction of the lineage walk, as a recursive CTE over events. Depth counts execution
   * hops: the executions next to the root and the artifacts on their far side are at depth 1.
   * Upstream, an artifact leads to the executions that output it and on to their inputs;
   * downstream, to the executions that input it and on to their outputs. Cached executions are
   * not walked (they ran nothing; `reusedBy` counts them), so reuse never fans the graph out.
   */
  private async walk(root: string, direction: 'upstream' | 'downstream', bound: number): Promise<Walk> {
    const [near, far] = direction === 'upstream' ? ['output', 'input'] : ['input', 'output'];
    // `near` events of executions that ran: the only steps of a walk.
    const ran = sql`exists (select 1 from ${executions} x where x.id = near.execution_id and x.status <> 'cached')`;
    const query = sql`
      with recursive walk(artifact_id, depth) as (
          select ${root}::text, 0
        union
          select far.artifact_id, walk.depth + 1
          from walk
          join events near on near.artifact_id = walk.artifact_id and near.kind = ${near}
          join events far on far.execution_id = near.execution_id and far.kind = ${far}
          where walk.depth < ${bound}::int and ${ran}
      ),
      reached as (
        select artifact_id, min(depth)::int as depth from walk group by artifact_id
      ),
      steps as (
        select near.execution_id, (min(reached.depth) + 1)::int as depth
        from reached
        join events near on near.artifact_id = reached.artifact_id and near.kind = ${near}
        where reached.depth < ${bound}::int and ${ran}
        group by near.execution_id
      )
      select 'artifact' as node, artifact_id as id, depth from reached
      union all
      select 'execution', execution_id, depth from steps
      union all
      -- The bound cut the walk short when an artifact at the bound has a next execution not taken.
      select 'truncated', null, null
      where exists (
        select 1 from reached
        join events near on near.artifact_id = reached.artifact_id and near.kind = ${near}
        where reached.depth >= ${bound}::int and ${ran}
          and near.execution_id not in (select execution_id from steps)
      )`;
    const rows = await this.rows<{ node: string; id: string | null; depth: number | null }>(query);
    const walk: Walk = { artifacts: new Map(), executions: new Map(), truncated: false };
    for (const row of rows) {
      if (row.node === 'truncated') walk.truncated = true;
      else if (row.id !== null && row.depth !== null) {
        (row.node === 'artifact' ? walk.artifacts : walk.executions).set(row.id, Number(row.depth));
      }
    }
    return walk;
  }

  async countLineageNeighbours(nodes: { artifactIds: readonly string[]; executionIds: readonly string[] }): Promise<LineageNeighbours[]> {
    const artifactIds = [...new Set(nodes.artifactIds)];
    const executionIds = [...new Set(nodes.executionIds)];
    const [artifactRows, executionRows, reuse] = await Promise.all([
      artifactIds.length === 0
        ? Promise.resolve([])
        : this.rows<{ id: string; upstream: number; downstream: number }>(sql`
            select e.artifact_id as id,
                   count(distinct e.execution_id) filter (where e.kind = 'output')::int as upstream,
                   count(distinct e.execution_id) filter (where e.kind = 'input')::int as downstream
            from ${events} e join ${executions} x on x.id = e.execution_id
            where e.artifact_id = any(${sql.param(artifactIds)}::text[]) and x.status <> 'cached'
            group by e.artifact_id`),
      executionIds.length === 0
        ? Promise.resolve([])
        : this.rows<{ id: string; upstream: number; downstream: number }>(sql`
            select e.execution_id as id,
                   count(distinct e.artifact_id) filter (where e.kind = 'input')::int as upstream,
                   count(distinct e.artifact_id) filter (where e.kind in ('output', 'reused'))::int as downstream
            from ${events} e
            where e.execution_id = any(${sql.param(executionIds)}::text[])
            group by e.execution_id`),
      this.reuseCounts(artifactIds, executionIds),
    ]);
    const counts = new Map<string, { upstream: number; downstream: number }>();
    for (const r of [...artifactRows, ...executionRows]) counts.set(r.id, { upstream: Number(r.upstream), downstream: Number(r.downstream) });
    return [...artifactIds, ...executionIds].map((id) => ({
      id,
      upstream: counts.get(id)?.upstream ?? 0,
      downstream: counts.get(id)?.downstream ?? 0,
      reusedBy: reuse.get(id) ?? NO_REUSE,
    }));
  }

  async listReusingExecutions(target: { executionId: string } | { artifactId: string }, options: { limit?: number } = {}): Promise<ExecutionRecord[]> {
    const condition =
      'executionId' in target
        ? eq(executions.cachedFrom, target.executionId)
        : and(
            eq(executions.status, 'cached'),
            sql`exists (select 1 from ${events} where ${events.executionId} = ${executions.id} and ${events.artifactId} = ${target.artifactId})`,
          );
    const query = this.selectExecutions().where(condition).orderBy(asc(executions.startedAt), asc(executions.seq));
    return options.limit === undefined ? query : query.limit(options.limit);
  }

  /** The cached executions folded into each node (see LineageNode.reusedBy); nodes without any are left out. */
  private async reuseCounts(artifactIds: readonly string[], executionIds: readonly string[]): Promise<Map<string, ReuseCount>> {
    const [byArtifact, byExecution] = await Promise.all([
      artifactIds.length === 0
        ? Promise.resolve([])
        : this.rows<{ id: string; executions: number; runs: number }>(sql`
            select e.artifact_id as id, count(distinct x.id)::int as executions, count(distinct x.run_id)::int as runs
            from ${events} e join ${executions} x on x.id = e.execution_id
            where e.artifact_id = any(${sql.param([...artifactIds])}::text[]) and x.status = 'cached'
            group by e.artifact_id`),
      executionIds.length === 0
        ? Promise.resolve([])
        : this.rows<{ id: string; executions: number; runs: number }>(sql`
            select cached_from as id, count(*)::int as executions, count(distinct run_id)::int as runs
            from ${executions}
            where cached_from = any(${sql.param([...executionIds])}::text[])
            group by cached_from`),
    ]);
    return new Map([...byArtifact, ...byExecution].map((r) => [r.id, { executions: Number(r.executions), runs: Number(r.runs) }]));
  }

  // ---- for the HTTP API ---------------------------------------------------------------------

  async listPipelineVersions(filter: { pipelineId?: string } = {}): Promise<PipelineVersionSummary[]> {
    return this.db
      .select({
        id: pipelineVersions.id,
        pipelineId: pipelineVersions.pipelineId,
        pipelineName: pipelines.name,
        digest: pipelineVersions.digest,
        createdAt: pipelineVersions.createdAt,
      })
      .from(pipelineVersions)
      .innerJoin(pipelines, eq(pipelines.id, pipelineVersions.pipelineId))
      .where(filter.pipelineId === undefined ? undefined : eq(pipelineVersions.pipelineId, filter.pipelineId))
      .orderBy(desc(pipelineVersions.createdAt), desc(pipelineVersions.id));
  }

  async countRunsByStatus(): Promise<Record<RunStatus, number>> {
    const rows = await this.db.select({ status: runs.status, n: count() }).from(runs).groupBy(runs.status);
    const out: Record<RunStatus, number> = { pending: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of rows) out[row.status] = Number(row.n);
    return out;
  }

  async createExperiment(e: { id: string; name: string; description?: string | null }): Promise<ExperimentRecord> {
    const inserted = await this.db
      .insert(experiments)
      .values({ id: e.id, name: e.name, description: e.description ?? null })
      .onConflictDoNothing()
      .returning({ id: experiments.id });
    if (inserted.length === 0) {
      const existing = await this.getExperiment(e.name);
      throw new MetadataStoreError(
        'conflict',
        `an experiment named "${e.name}" already exists${existing ? ` (id ${existing.id})` : ''}; choose another name`,
      );
    }
    const stored = await this.getExperiment(e.id);
    if (!stored) throw new Error(`experiment ${e.id} vanished right after it was created`);
    return stored;
  }

  async getExperiment(idOrName: string): Promise<ExperimentRecord | undefined> {
    const found = await this.selectExperiments().where(sql`${experiments.id} = ${idOrName} or ${experiments.name} = ${idOrName}`);
    // An id wins over a name (another experiment may be named like this one's id).
    return found.find((e) => e.id === idOrName) ?? found[0];
  }

  async listExperiments(): Promise<ExperimentRecord[]> {
    return this.selectExperiments().orderBy(asc(experiments.name));
  }

  private selectExperiments() {
    return this.db
      .select({
        id: experiments.id,
        name: experiments.name,
        description: experiments.description,
        createdAt: experiments.createdAt,
        runCount: sql<number>`(select count(*) from ${experimentRuns} where ${experimentRuns.experimentId} = ${experiments.id})`.mapWith(Number),
      })
      .from(experiments);
  }

  async addRunsToExperiment(experimentId: string, runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    try {
      await this.db
        .insert(experimentRuns)
        .values([...new Set(runIds)].map((runId) => ({ experimentId, runId })))
        .onConflictDoNothing();
    } catch (error) {
      if (sqlState(error) === '23503') {
        throw new MetadataStoreError('not_found', `cannot add runs to experiment ${experimentId}: the experiment or one of the runs does not exist`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async removeRunFromExperiment(experimentId: string, runId: string): Promise<boolean> {
    const removed = await this.db
      .delete(experimentRuns)
      .where(and(eq(experimentRuns.experimentId, experimentId), eq(experimentRuns.runId, runId)))
      .returning({ runId: experimentRuns.runId });
    return removed.length > 0;
  }

  async createApiToken(t: { id: string; name: string; role: ApiRole; secretHash: string }): Promise<ApiTokenRecord> {
    await this.db.insert(apiTokens).values({ id: t.id, name: t.name, role: t.role, secretHash: t.secretHash });
    const stored = await this.findApiToken(t.id);
    if (!stored) throw new Error(`API token ${t.id} vanished right after it was created`);
    return stored.token;
  }

  async findApiToken(id: string): Promise<{ token: ApiTokenRecord; secretHash: string } | undefined> {
    const [row] = await this.db.select().from(apiTokens).where(eq(apiTokens.id, id));
    if (!row) return undefined;
    const { secretHash, ...token } = row;
    return { token, secretHash };
  }

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    return this.db
      .select({
        id: apiTokens.id,
        name: apiTokens.name,
        role: apiTokens.role,
        createdAt: apiTokens.createdAt,
        lastUsedAt: apiTokens.lastUsedAt,
        revokedAt: apiTokens.revokedAt,
      })
      .from(apiTokens)
      .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
  }

  async revokeApiToken(id: string): Promise<boolean> {
    const revoked = await this.db
      .update(apiTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiTokens.id, id), sql`${apiTokens.revokedAt} is null`))
      .returning({ id: apiTokens.id });
    return revoked.length > 0;
  }

  async touchApiToken(id: string, at: Date = new Date()): Promise<void> {
    await this.db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id));
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Rows of a raw query; both drivers return `{ rows }` from execute(). */
  private async rows<T>(query: SQL): Promise<T[]> {
    const result: unknown = await this.db.execute(query);
    const rows = (result as { rows?: unknown }).rows;
    if (!Array.isArray(rows)) throw new Error('the database driver returned no rows array for a raw query');
    return rows as T[];
  }

  private async exists(
    table: typeof runs | typeof executions,
    idColumn: typeof runs.id | typeof executions.id,
    id: string,
  ): Promise<boolean> {
    const found = await this.db.select({ id: idColumn }).from(table).where(eq(idColumn, id)).limit(1);
    return found.length > 0;
  }
}

/** The SQLSTATE of a driver error, also when drizzle wraps it (DrizzleQueryError's cause). */
function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * `column = any($1::text[])`: one array parameter however many ids, where inArray() would spend one
 * parameter per id and fail beyond the protocol's 65,535 on a large lineage graph.
 */
function anyOf(column: AnyColumn, ids: string[]): SQL {
  return sql`${column} = any(${sql.param(ids)}::text[])`;
}

interface Walk {
  artifacts: Map<string, number>;
  executions: Map<string, number>;
  truncated: boolean;
}

const artifactColumns = {
  id: artifacts.id,
  type: artifacts.type,
  name: artifacts.name,
  uri: artifacts.uri,
  sha256: artifacts.sha256,
  size: artifacts.size,
  properties: artifacts.properties,
  createdAt: artifacts.createdAt,
};

const eventColumns = {
  executionId: events.executionId,
  artifactId: events.artifactId,
  kind: events.kind,
  port: events.port,
};
