/** ExecutionStore over drizzle: `executions` (and, for cache hits, their output events and artifacts). */
import { and, asc, count, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Placeholder, SQL } from 'drizzle-orm';
import { ARTIFACT_COLUMNS } from '../artifacts/DrizzleArtifactRecordStore';
import type { ArtifactRecord } from '../artifacts/ArtifactRecordStore';
import { insertAndRead, refusingMissingReferences, rowExists, rowsOf } from '../database';
import type { MetadataDatabase, RunRows } from '../database';
import { MetadataStoreError } from '../errors';
import { artifacts, events, executions } from '../schema';
import type {
  CachedExecution,
  ExecutionIdentity,
  ExecutionRecord,
  ExecutionStatus,
  ExecutionStore,
  FinishedExecution,
  RecordedFinish,
  StartExecution,
  BegunExecution,
} from './ExecutionStore';
import type { Json } from '../Json';

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
  /**
   * `hot` runs the per-step statements (beginSql, completeSql, recordFinishedSql: a few fixed
   * texts); by default as any raw statement, on PGlite as named prepared statements.
   */
  private readonly hot: RunRows;

  constructor(
    private readonly db: MetadataDatabase,
    hot?: RunRows,
  ) {
    this.hot = hot ?? (<T>(query: SQL) => rowsOf<T>(db, query));
  }

  async startExecution(e: StartExecution): Promise<ExecutionRecord> {
    return (await this.beginExecution(e)).execution;
  }

  async beginExecution(e: Parameters<ExecutionStore['beginExecution']>[0]): Promise<BegunExecution> {
    const after = e.after;
    if (after && after.id === e.id) throw new MetadataStoreError('invalid', `cannot finish and begin execution ${e.id} in one call`);
    const [row] = await refusingMissingReferences(
      () =>
        `cannot start execution ${e.id}${after ? ` (and record finished execution ${after.id})` : ''}: ` +
        `its run ${e.runId}, an input artifact${after ? ' or the reused execution' : ''} does not exist`,
      () =>
        this.hot<{
          own: ExecutionJson | null;
          stored: ExecutionJson | null;
          cached: { execution: ExecutionJson; outputs: StoredArtifactJson[] | null } | null;
          written?: string[];
          artifacts?: StoredArtifactJson[];
        }>(beginSql(e, after ? recordFinishedParts([after]) : undefined)),
    );
    const execution = row?.own ?? row?.stored;
    if (!row || !execution) throw new Error(`execution ${e.id} vanished right after it was written`);
    let cached: CachedExecution | undefined;
    if (row.cached) {
      const outputs: Record<string, ArtifactRecord> = {};
      for (const { port, ...a } of (row.cached.outputs ?? []) as (StoredArtifactJson & { port: string })[]) outputs[port] = storedArtifact(a);
      cached = { execution: executionFromJson(row.cached.execution), outputs };
    }
    const begun: BegunExecution = { execution: executionFromJson(execution), started: row.own !== null, cached };
    if (after) begun.finished = finishResults([after], row.written ?? [], row.artifacts ?? [])[0];
    return begun;
  }

  async completeExecution(id: string, result: Parameters<ExecutionStore['completeExecution']>[1]): Promise<Record<string, ArtifactRecord>> {
    const outputs = Object.entries(result.outputs ?? {});
    const finish = { status: 'succeeded' as const, outputParams: result.outputParams, attempt: result.attempt, ...(result.finishedAt ? { finishedAt: result.finishedAt } : {}) };
    if (outputs.length === 0) {
      await finishExecutionIn(this.db, id, finish);
      return {};
    }
    // One statement (the row, the artifacts, their events), so one round trip instead of a
    // transaction of five; the same all-or-nothing, and nothing at all for an unknown execution.
    const [row] = await this.hot<{ known: boolean; artifacts: StoredArtifactJson[] }>(completeSql(id, result, outputs));
    if (!row?.known) {
      throw new MetadataStoreError('not_found', `cannot finish execution ${id}: no such execution (start it with startExecution first)`);
    }
    const stored = storedArtifacts(row.artifacts);
    const byPort: Record<string, ArtifactRecord> = {};
    for (const [port, a] of outputs) {
      const record = stored.get(a.id);
      if (!record) throw new Error(`artifact ${a.id} vanished right after it was written`);
      byPort[port] = record;
    }
    return byPort;
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

  async recordFinishedExecutions(list: readonly FinishedExecution[]): Promise<RecordedFinish[]> {
    if (list.length === 0) return [];
    const seen = new Set<string>();
    for (const e of list) {
      if (seen.has(e.id)) {
        throw new MetadataStoreError('invalid', `cannot record execution ${e.id} twice in one call: record each execution once, with its final state`);
      }
      seen.add(e.id);
    }
    const [result] = await refusingMissingReferences(
      () =>
        `cannot record execution${list.length > 1 ? 's' : ''} ${list.map((e) => e.id).join(', ')}: ` +
        'its run, an input artifact or the reused execution does not exist',
      () => this.hot<{ written: string[]; artifacts: StoredArtifactJson[] }>(recordFinishedSql(list)),
    );
    return finishResults(list, result?.written ?? [], result?.artifacts ?? []);
  }

  async recordFinishedExecution(e: FinishedExecution): Promise<RecordedFinish> {
    const [recorded] = await this.recordFinishedExecutions([e]);
    if (!recorded) throw new Error(`execution ${e.id} was recorded but no result came back`);
    return recorded;
  }

  async findCachedExecution(
    cacheKey: string,
    options: { maxAgeMs?: number; now?: Date } = {},
  ): Promise<CachedExecution | undefined> {
    const [execution] = await selectExecutions(this.db).where(eq(executions.id, cacheCandidate(this.db, cacheKey, options)));
    if (!execution) return undefined;
    return { execution, outputs: await this.outputsOf(execution.id) };
  }

  /** An execution's output artifacts by port. */
  private async outputsOf(executionId: string): Promise<Record<string, ArtifactRecord>> {
    const rows = await this.db
      .select({ ...ARTIFACT_COLUMNS, port: events.port })
      .from(events)
      .innerJoin(artifacts, eq(artifacts.id, events.artifactId))
      .where(and(eq(events.executionId, executionId), eq(events.kind, 'output')))
      .orderBy(asc(events.port));
    const outputs: Record<string, ArtifactRecord> = {};
    for (const { port, ...artifact } of rows) outputs[port] = artifact;
    return outputs;
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

/**
 * The id of the newest succeeded execution with this cache key (within maxAgeMs), as a subquery.
 * Only originals count: 'cached' rows point at one, which is found itself.
 */
function cacheCandidate(db: MetadataDatabase, cacheKey: string | Placeholder, options: { maxAgeMs?: number; now?: Date }) {
  const conditions = [eq(executions.cacheKey, cacheKey), eq(executions.status, 'succeeded')];
  if (options.maxAgeMs !== undefined) {
    // The database's clock by default: it stamped finished_at, and may run on another host.
    const cutoff = options.now
      ? sql`${new Date(options.now.getTime() - options.maxAgeMs).toISOString()}::timestamptz`
      : sql`now() - (${options.maxAgeMs}::double precision * interval '1 millisecond')`;
    conditions.push(gte(executions.finishedAt, cutoff));
  }
  return db
    .select({ id: executions.id })
    .from(executions)
    .where(and(...conditions))
    .orderBy(sql`${executions.finishedAt} desc nulls last`, desc(executions.seq))
    .limit(1);
}

/** An artifact row as json_agg gives it back. */
type StoredArtifactJson = Omit<ArtifactRecord, 'createdAt'> & { created_at: string };

function storedArtifact({ created_at, ...a }: StoredArtifactJson): ArtifactRecord {
  return { ...a, size: Number(a.size), createdAt: new Date(created_at) };
}

function storedArtifacts(rows: readonly StoredArtifactJson[]): Map<string, ArtifactRecord> {
  return new Map(rows.map((a) => [a.id, storedArtifact(a)]));
}

/** recordFinishedExecutions' answer, in the order given, from the ids written and the stored artifacts. */
function finishResults(list: readonly FinishedExecution[], writtenIds: readonly string[], artifactRows: readonly StoredArtifactJson[]): RecordedFinish[] {
  const written = new Set(writtenIds);
  const stored = storedArtifacts(artifactRows);
  return list.map((e) => {
    const outputs: Record<string, ArtifactRecord> = {};
    if (!written.has(e.id)) return { written: false, outputs };
    for (const [port, a] of Object.entries(e.outputs ?? {})) {
      const record = stored.get(a.id);
      if (!record) throw new Error(`artifact ${a.id} vanished right after it was written`);
      outputs[port] = record;
    }
    return { written: true, outputs };
  });
}

/** An executions row as row_to_json gives it back. */
interface ExecutionJson {
  id: string;
  run_id: string;
  task_id: string;
  component_name: string;
  component_digest: string;
  status: ExecutionStatus;
  attempt: number;
  params: Record<string, Json>;
  output_params: Record<string, Json> | null;
  error: string | null;
  cache_key: string | null;
  cached_from: string | null;
  started_at: string;
  finished_at: string | null;
}

function executionFromJson(r: ExecutionJson): ExecutionRecord {
  return {
    id: r.id,
    runId: r.run_id,
    taskId: r.task_id,
    componentName: r.component_name,
    componentDigest: r.component_digest,
    status: r.status,
    attempt: r.attempt,
    params: r.params,
    outputParams: r.output_params,
    error: r.error,
    cacheKey: r.cache_key,
    cachedFrom: r.cached_from,
    startedAt: new Date(r.started_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
  };
}

/**
 * beginExecution's one statement (its text is the same for every call: every choice is a
 * parameter). `s` is startExecution's guarded upsert: a newer attempt wins, the same attempt may
 * repeat its start only while still running, so a re-delivered start never reopens a finished
 * execution and a stale attempt changes nothing; a local step (count_from_row) takes over any row
 * that did not succeed as the next attempt. The input events go only with a row this call wrote.
 * `c` is the cache candidate (cacheCandidate's conditions); every CTE reads the table as it was
 * before the statement, so the candidate is never this attempt's own row, and `stored` is the row
 * the guard kept when `s` wrote none.
 */
function beginSql(e: Parameters<ExecutionStore['beginExecution']>[0], after?: FinishedParts) {
  const cache = e.cache;
  // As cacheCandidate: the caller's `now`, else the database's clock (it stamped finished_at).
  const cutoff = cache?.maxAgeMs !== undefined && cache.now ? new Date(cache.now.getTime() - cache.maxAgeMs).toISOString() : null;
  const maxAgeMs = cache?.maxAgeMs !== undefined && !cache.now ? cache.maxAgeMs : null;
  const startedAt = e.startedAt ? e.startedAt.toISOString() : null;
  const count = e.countAttemptsFromRow === true;
  // Only the parts this call needs (PGlite plans every statement anew, and each CTE costs planning):
  // four shapes in all, each a fixed text.
  const parts = [...(after?.parts ?? []), sql`s as (
      insert into executions as x (id, run_id, task_id, component_name, component_digest, status, attempt, params, cache_key, started_at)
      values (${e.id}, ${e.runId}, ${e.taskId}, ${e.componentName}, ${e.componentDigest}, 'running', ${e.attempt}::int,
        ${JSON.stringify(e.params)}::jsonb, ${e.cacheKey ?? null}::text, coalesce(${startedAt}::timestamptz, now()))
      on conflict (id) do update set status = 'running',
        attempt = case when ${count}::boolean then greatest(excluded.attempt, x.attempt + 1) else excluded.attempt end,
        params = excluded.params, cache_key = excluded.cache_key, started_at = excluded.started_at,
        -- A new attempt starts clean: the previous attempt's result no longer describes the row.
        finished_at = null, error = null, output_params = null, cached_from = null
      -- A finished row is never reopened: a later attempt of a step that already succeeded (its
      -- worker recorded it and died before Temporal heard) answers from it instead of running again.
      where x.status not in ('succeeded', 'cached') and (${count}::boolean
        or x.attempt < excluded.attempt or (x.attempt = excluded.attempt and x.status = 'running'))
      returning x.*
    )`];
  const inputs = e.inputs ?? [];
  if (inputs.length > 0) {
    parts.push(sql`ie as (
      insert into events (execution_id, artifact_id, kind, port)
      select s.id, v.artifact_id, 'input', v.port
      from s, jsonb_to_recordset(${JSON.stringify(inputs.map((i) => ({ port: i.port, artifact_id: i.artifactId })))}::jsonb) as v(port text, artifact_id text)
      on conflict do nothing
    )`);
  }
  if (cache) {
    parts.push(sql`c as (
      select * from executions
      where cache_key = ${cache.cacheKey}::text and status = 'succeeded'
        and (${cutoff}::timestamptz is null or finished_at >= ${cutoff}::timestamptz)
        and (${maxAgeMs}::double precision is null or finished_at >= now() - ${maxAgeMs}::double precision * interval '1 millisecond')
      order by finished_at desc nulls last, seq desc
      limit 1
    )`);
  }
  const cached = cache
    ? sql`(select json_build_object('execution', row_to_json(c), 'outputs',
        (select json_agg(json_build_object('port', o.port, 'id', ar.id, 'type', ar.type, 'name', ar.name, 'uri', ar.uri,
          'sha256', ar.sha256, 'size', ar.size, 'properties', ar.properties, 'created_at', ar.created_at) order by o.port)
         from events o join artifacts ar on ar.id = o.artifact_id where o.execution_id = c.id and o.kind = 'output'))
       from c)`
    : sql`null::json`;
  return sql`with ${sql.join(parts, sql`, `)}
    select (select row_to_json(s) from s) as own,
      (select row_to_json(k) from executions k where k.id = ${e.id} and not exists (select 1 from s)) as stored,
      ${cached} as cached${after ? sql`, ${after.select}` : sql``}`;
}

/**
 * completeExecution's one statement: the row finished if `attempt` still owns it (as
 * finishExecution), and its output artifacts and 'output' events whenever the execution exists
 * (as before, when the three were one transaction).
 */
function completeSql(id: string, result: Parameters<ExecutionStore['completeExecution']>[1], outputs: [string, Omit<ArtifactRecord, 'createdAt'>][]) {
  const arts = outputs.map(([port, a]) => ({ port, id: a.id, type: a.type, name: a.name, uri: a.uri, sha256: a.sha256, size: a.size, properties: a.properties }));
  const finishedAt = result.finishedAt ? sql`${result.finishedAt.toISOString()}::timestamptz` : sql`now()`;
  return sql`
    with known as (select 1 from executions where id = ${id}),
    e as (
      update executions set status = 'succeeded', error = null, output_params = ${JSON.stringify(result.outputParams)}::jsonb,
        finished_at = ${finishedAt}
      where id = ${id} and attempt = ${result.attempt}
      returning id
    ),
    v as (
      select * from jsonb_to_recordset(${JSON.stringify(arts)}::jsonb) as v(port text, id text, type text, name text, uri text,
        sha256 text, size bigint, properties jsonb)
      where exists (select 1 from known)
    ),
    a as (
      insert into artifacts as y (id, type, name, uri, sha256, size, properties)
      select id, type, name, uri, sha256, size, properties from v
      -- A no-op update, so that RETURNING gives the stored row (recordArtifact keeps it).
      on conflict (id) do update set name = y.name
      returning y.id, y.type, y.name, y.uri, y.sha256, y.size, y.properties, y.created_at
    ),
    ev as (
      insert into events (execution_id, artifact_id, kind, port)
      select ${id}, id, 'output', port from v
      on conflict do nothing
    )
    select exists (select 1 from known) as known,
      (select coalesce(json_agg(a), '[]'::json) from a) as artifacts`;
}

/**
 * recordFinishedExecutions' one statement. Each table's rows travel as one jsonb parameter
 * (jsonb_to_recordset), so the text is the same whatever the batch size (the server plans one
 * shape; no 65,535-parameter limit). The children (artifacts, events, metrics) join the executions
 * the upsert actually wrote (`e`), so a kept row keeps its children as they are. Foreign keys are
 * checked at the end of the statement, so an event may name an artifact or execution inserted by
 * the same statement (a fused chain's second step reading the first one's output).
 */
function recordFinishedSql(list: readonly FinishedExecution[]) {
  const { parts, select } = recordFinishedParts(list);
  return sql`with ${sql.join(parts, sql`, `)}
    select ${select}`;
}

/** recordFinishedSql's CTEs (e, a, ev, m) and its select list (written, artifacts), to run alone or before beginSql's. */
interface FinishedParts {
  parts: SQL[];
  select: SQL;
}

function recordFinishedParts(list: readonly FinishedExecution[]): FinishedParts {
  const rows = list.map((e, ord) => ({
    ord,
    id: e.id,
    run_id: e.runId,
    task_id: e.taskId,
    component_name: e.componentName,
    component_digest: e.componentDigest,
    status: e.status,
    attempt: e.attempt,
    params: e.params,
    output_params: e.outputParams ?? null,
    error: e.error ?? null,
    cache_key: e.cacheKey ?? null,
    cached_from: e.cachedFrom ?? null,
    started_at: e.startedAt.toISOString(),
    finished_at: e.finishedAt.toISOString(),
  }));
  const outputs = list.flatMap((e) =>
    Object.values(e.outputs ?? {}).map((a) => ({ execution_id: e.id, id: a.id, type: a.type, name: a.name, uri: a.uri, sha256: a.sha256, size: a.size, properties: a.properties })),
  );
  const eventRows = list.flatMap((e) => [
    ...(e.inputs ?? []).map((i) => ({ execution_id: e.id, artifact_id: i.artifactId, kind: 'input', port: i.port })),
    ...Object.entries(e.outputs ?? {}).map(([port, a]) => ({ execution_id: e.id, artifact_id: a.id, kind: 'output', port })),
    ...(e.reused ?? []).map((r) => ({ execution_id: e.id, artifact_id: r.artifactId, kind: 'reused', port: r.port })),
  ]);
  // One point per (execution, key, step), the last reported (an upsert may not touch a row twice);
  // values as text, so NaN and ±Infinity survive JSON.
  const points = new Map<string, { run_id: string; execution_id: string; key: string; value: string; step: number; step_label: string | null }>();
  for (const e of list) {
    for (const m of e.metrics ?? []) {
      points.set(JSON.stringify([e.id, m.key, m.step]), { run_id: e.runId, execution_id: e.id, key: m.key, value: String(m.value), step: m.step, step_label: m.stepLabel ?? null });
    }
  }
  // Only the parts this call needs: a no-op step's statement is the executions upsert alone
  // (PGlite plans every statement anew, and each CTE costs planning).
  const parts = [sql`e as (
      insert into executions as x (id, run_id, task_id, component_name, component_digest, status, attempt, params,
        output_params, error, cache_key, cached_from, started_at, finished_at)
      select id, run_id, task_id, component_name, component_digest, status, attempt, params,
        output_params, error, cache_key, cached_from, started_at, finished_at
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(ord int, id text, run_id text, task_id text,
        component_name text, component_digest text, status text, attempt int, params jsonb, output_params jsonb,
        error text, cache_key text, cached_from text, started_at timestamptz, finished_at timestamptz)
      order by ord
      on conflict (id) do update set status = excluded.status, attempt = excluded.attempt,
        -- The attempt that began this row keeps the params it logged while it ran (an MLflow
        -- client in the task, logToExecution); any other attempt starts from its own.
        params = case when x.attempt = excluded.attempt and x.status = 'running' then excluded.params || x.params else excluded.params end,
        output_params = excluded.output_params, error = excluded.error, cache_key = excluded.cache_key,
        cached_from = excluded.cached_from, started_at = excluded.started_at, finished_at = excluded.finished_at
      where x.status not in ('succeeded', 'cached') and x.attempt <= excluded.attempt
      returning x.id
    )`];
  if (outputs.length > 0) {
    parts.push(sql`a as (
      insert into artifacts as y (id, type, name, uri, sha256, size, properties)
      select v.id, v.type, v.name, v.uri, v.sha256, v.size, v.properties
      from jsonb_to_recordset(${JSON.stringify(outputs)}::jsonb) as v(execution_id text, id text, type text, name text,
        uri text, sha256 text, size bigint, properties jsonb)
      join e on e.id = v.execution_id
      -- A no-op update, so that RETURNING gives the stored row (recordArtifact keeps it).
      on conflict (id) do update set name = y.name
      returning y.id, y.type, y.name, y.uri, y.sha256, y.size, y.properties, y.created_at
    )`);
  }
  if (eventRows.length > 0) {
    parts.push(sql`ev as (
      insert into events (execution_id, artifact_id, kind, port)
      select v.execution_id, v.artifact_id, v.kind, v.port
      from jsonb_to_recordset(${JSON.stringify(eventRows)}::jsonb) as v(execution_id text, artifact_id text, kind text, port text)
      join e on e.id = v.execution_id
      on conflict do nothing
    )`);
  }
  if (points.size > 0) {
    parts.push(sql`m as (
      insert into metrics (run_id, execution_id, key, value, step, step_label)
      select v.run_id, v.execution_id, v.key, v.value::double precision, v.step, v.step_label
      from jsonb_to_recordset(${JSON.stringify([...points.values()])}::jsonb) as v(run_id text, execution_id text, key text,
        value text, step int, step_label text)
      join e on e.id = v.execution_id
      on conflict (execution_id, key, step) do update set value = excluded.value, run_id = excluded.run_id,
        step_label = excluded.step_label
    )`);
  }
  const stored = outputs.length > 0 ? sql`(select coalesce(json_agg(a), '[]'::json) from a)` : sql`'[]'::json`;
  return { parts, select: sql`(select coalesce(json_agg(e.id), '[]'::json) from e) as written, ${stored} as artifacts` };
}

/** What names an execution, picked out of a caller's record for an insert (recordExecution). */
function identityOf(e: ExecutionIdentity): ExecutionIdentity {
  return { id: e.id, runId: e.runId, taskId: e.taskId, componentName: e.componentName, componentDigest: e.componentDigest };
}

/** Executions as ExecutionRecords, for the lineage store too. */
export function selectExecutions(db: MetadataDatabase) {
  return db.select(EXECUTION_COLUMNS).from(executions);
}
