/**
 * TrackingStore over drizzle (PGlite or PostgreSQL), on the metadata store's database. Filters
 * become SQL through drizzle's `sql` template only: every key and value is a bound parameter.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { alias, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { MetadataStoreError } from '../errors';
import type { ArtifactRecord, Json, RunRecord, RunStatus } from '../MetadataStore';
import { selectRuns } from '../runs/DrizzleRunStore';
import { artifacts, events, executions, experimentRuns, experiments, metrics, pipelines, pipelineVersions, runLatestMetrics, runs, runTags } from '../schema';
import type { FilterClause, RunOrder } from './runFilter';
import {
  MLFLOW_TASK_ID,
  MLFLOW_TRIGGER_KIND,
  RUN_NAME_TAG,
  type LatestMetric,
  type LoggedArtifact,
  type LoggedMetric,
  type RunListSearch,
  type RunSearch,
  type RunTag,
  type TrackingStore,
  type TrackingTarget,
} from './TrackingStore';

type Db = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/** Event port of an uploaded file: never a component port (those are identifiers). */
const LOGGED_PORT_PREFIX = 'logged:';
const FINAL: RunStatus[] = ['succeeded', 'failed', 'cancelled'];
/** A number as text, as params hold them: what may be compared numerically. */
const NUMERIC_TEXT = '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$';

function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

const comparison = (left: SQL, op: string, right: SQL): SQL => {
  switch (op) {
    case '=':
      return sql`${left} = ${right}`;
    case '!=':
      return sql`${left} <> ${right}`;
    case '>':
      return sql`${left} > ${right}`;
    case '>=':
      return sql`${left} >= ${right}`;
    case '<':
      return sql`${left} < ${right}`;
    case '<=':
      return sql`${left} <= ${right}`;
    case 'like':
      return sql`${left} like ${right}`;
    case 'ilike':
      return sql`${left} ilike ${right}`;
    default:
      throw new Error(`comparator ${op} has no SQL form here`);
  }
};

/** The SQL condition of one clause on the `runs` row. */
function clauseSql(c: FilterClause): SQL {
  switch (c.entity) {
    case 'metric':
      // The run's latest value of the metric (its highest step), as MLflow compares: one indexed row.
      return sql`exists (select 1 from ${runLatestMetrics} m where m.run_id = ${runs.id} and m.key = ${c.key}::text and ${comparison(sql`m.value`, c.op, sql`${c.value}::float8`)})`;
    case 'param': {
      const text = sql`(${runs.params} ->> ${c.key}::text)`;
      if (typeof c.value === 'string') return sql`(${text} is not null and ${comparison(text, c.op, sql`${c.value}::text`)})`;
      // A number: numeric comparison where the param holds a number (JSON number or numeric text).
      return sql`(case when ${text} ~ ${NUMERIC_TEXT}::text then ${comparison(sql`${text}::float8`, c.op, sql`${c.value}::float8`)} else false end)`;
    }
    case 'tag':
      return sql`exists (select 1 from ${runTags} t where t.run_id = ${runs.id} and t.key = ${c.key}::text and ${comparison(sql`t.value`, c.op, sql`${c.value}::text`)})`;
    case 'attribute':
      break;
  }
  switch (c.key) {
    case 'status':
    case 'run_id': {
      const column = c.key === 'status' ? runs.status : runs.id;
      const values = c.value as string[];
      const list = sql.join(
        values.map((v) => sql`${v}::text`),
        sql`, `,
      );
      return c.op === '=' || c.op === 'in' ? sql`${column} in (${list})` : sql`${column} not in (${list})`;
    }
    case 'run_name':
      return sql`exists (select 1 from ${runTags} t where t.run_id = ${runs.id} and t.key = ${RUN_NAME_TAG}::text and ${comparison(sql`t.value`, c.op, sql`${c.value}::text`)})`;
    case 'pipeline':
      return sql`exists (select 1 from ${pipelines} p where p.id = ${runs.pipelineId} and ${comparison(sql`p.name`, c.op, sql`${c.value}::text`)})`;
    case 'start_time':
      return comparison(sql`(extract(epoch from coalesce(${runs.startedAt}, ${runs.createdAt})) * 1000)`, c.op, sql`${c.value}::float8`);
    case 'end_time':
      return sql`(${runs.finishedAt} is not null and ${comparison(sql`(extract(epoch from ${runs.finishedAt}) * 1000)`, c.op, sql`${c.value}::float8`)})`;
  }
}

/** The SQL ordering of one search order entry (nulls — runs without the value — last either way). */
function orderSql(o: RunOrder): SQL[] {
  const direction = o.descending ? sql`desc` : sql`asc`;
  switch (o.by.entity) {
    case 'metric':
      return [sql`(select m.value from ${runLatestMetrics} m where m.run_id = ${runs.id} and m.key = ${o.by.key}::text) ${direction} nulls last`];
    case 'param': {
      // Numbers numerically, then anything else as text.
      const text = sql`(${runs.params} ->> ${o.by.key}::text)`;
      return [sql`(case when ${text} ~ ${NUMERIC_TEXT}::text then (${text})::float8 end) ${direction} nulls last`, sql`${text} ${direction} nulls last`];
    }
    case 'attribute': {
      const column = o.by.key === 'start_time' ? sql`coalesce(${runs.startedAt}, ${runs.createdAt})` : sql`${runs.finishedAt}`;
      return [sql`${column} ${direction} nulls last`];
    }
  }
}

export class DrizzleTrackingStore implements TrackingStore {
  constructor(private readonly db: Db) {}

  async createTrackedRun(input: Parameters<TrackingStore['createTrackedRun']>[0]): Promise<void> {
    const { runId } = input;
    await this.db
      .transaction(async (tx) => {
        await tx.insert(pipelines).values({ id: randomUUID(), name: input.spec.name }).onConflictDoNothing({ target: pipelines.name });
        const [pipeline] = await tx.select({ id: pipelines.id }).from(pipelines).where(eq(pipelines.name, input.spec.name));
        if (!pipeline) throw new Error(`pipeline "${input.spec.name}" vanished while creating run ${runId}`);
        await tx
          .insert(pipelineVersions)
          .values({ id: randomUUID(), pipelineId: pipeline.id, digest: input.digest, spec: input.spec })
          .onConflictDoNothing({ target: [pipelineVersions.pipelineId, pipelineVersions.digest] });
        const [version] = await tx
          .select({ id: pipelineVersions.id })
          .from(pipelineVersions)
          .where(and(eq(pipelineVersions.pipelineId, pipeline.id), eq(pipelineVersions.digest, input.digest)));
        if (!version) throw new Error(`the version of pipeline "${input.spec.name}" vanished while creating run ${runId}`);
        await tx.insert(runs).values({
          id: runId,
          pipelineId: pipeline.id,
          pipelineVersionId: version.id,
          status: 'running',
          params: {},
          trigger: input.trigger,
          // No workflow: Temporal does not know this id, so the reconciler leaves the row alone.
          workflowId: `mlflow-${runId}`,
          startedAt: input.startedAt,
        });
        const task = input.spec.dag.tasks[MLFLOW_TASK_ID];
        const component = task && 'component' in task ? input.spec.components[task.component] : undefined;
        await tx.insert(executions).values({
          id: trackedExecutionId(runId),
          runId,
          taskId: MLFLOW_TASK_ID,
          componentName: component?.name ?? MLFLOW_TASK_ID,
          componentDigest: component?.impl.digest ?? input.digest,
          status: 'running',
          params: {},
          startedAt: input.startedAt,
        });
        await tx.insert(experimentRuns).values({ experimentId: input.experimentId, runId });
        if (input.tags.length) await tx.insert(runTags).values(dedupe(input.tags).map((t) => ({ runId, key: t.key, value: t.value })));
      })
      .catch((error: unknown) => {
        if (sqlState(error) === '23503') throw new MetadataStoreError('not_found', `cannot create run ${runId} in experiment ${input.experimentId}: no such experiment`, { cause: error });
        throw error;
      });
  }

  async setTrackedRunStatus(runId: string, status: RunStatus, finishedAt?: Date): Promise<void> {
    const final = FINAL.includes(status);
    const end = final ? (finishedAt ?? new Date()) : null;
    await this.db.transaction(async (tx) => {
      const updated = await tx
        .update(runs)
        .set({ status, finishedAt: end })
        .where(and(eq(runs.id, runId), sql`${runs.status} not in ('succeeded', 'failed', 'cancelled')`))
        .returning({ id: runs.id });
      if (!updated.length) return;
      // The execution mirrors the run; a run back to pending leaves its execution running.
      const executionStatus = status === 'pending' ? 'running' : status;
      await tx
        .update(executions)
        .set({ status: executionStatus, finishedAt: end })
        .where(and(eq(executions.id, trackedExecutionId(runId)), inArray(executions.status, ['running', 'waiting'])));
    });
  }

  async logToExecution(
    target: TrackingTarget,
    values: { params?: readonly RunTag[]; metrics?: readonly LoggedMetric[]; tags?: readonly RunTag[] },
  ): Promise<void> {
    const params = values.params ?? [];
    const logged = values.metrics ?? [];
    const tags = values.tags ?? [];
    await this.db.transaction(async (tx) => {
      if (params.length) {
        // Params never change once logged (MLflow's rule): the row is locked while we compare.
        const [row] = await tx.select({ params: executions.params }).from(executions).where(eq(executions.id, target.executionId)).for('update');
        if (!row) throw new MetadataStoreError('not_found', `no execution ${target.executionId}`);
        const added: Record<string, Json> = {};
        for (const p of params) {
          const had = row.params[p.key] ?? added[p.key];
          const hadText = typeof had === 'string' ? had : JSON.stringify(had);
          if (had !== undefined && hadText !== p.value) {
            throw new MetadataStoreError('conflict', `param "${p.key}" was already logged with value "${hadText}"; params cannot change (log "${p.value}" under another key)`);
          }
          added[p.key] = p.value;
        }
        await tx
          .update(executions)
          .set({ params: sql`${executions.params} || ${JSON.stringify(added)}::jsonb` })
          .where(eq(executions.id, target.executionId));
        if (target.tracked) {
          await tx
            .update(runs)
            .set({ params: sql`${runs.params} || ${JSON.stringify(added)}::jsonb` })
            .where(eq(runs.id, target.runId));
        }
      }
      if (logged.length) {
        // The last value at a step wins (a batch may repeat a key and step).
        const byKey = new Map(logged.map((m) => [`${m.key}\u0000${m.step}`, m]));
        await tx
          .insert(metrics)
          .values([...byKey.values()].map((m) => ({ runId: target.runId, executionId: target.executionId, key: m.key, value: m.value, step: m.step })))
          .onConflictDoUpdate({ target: [metrics.executionId, metrics.key, metrics.step], set: { value: sql`excluded.value` } });
      }
      if (tags.length) await this.upsertTags(tx, target.runId, tags);
    });
  }

  private async upsertTags(tx: Db, runId: string, tags: readonly RunTag[]): Promise<void> {
    await tx
      .insert(runTags)
      .values(dedupe(tags).map((t) => ({ runId, key: t.key, value: t.value })))
      .onConflictDoUpdate({ target: [runTags.runId, runTags.key], set: { value: sql`excluded.value`, updatedAt: sql`now()` } });
  }

  async listTags(runIds: readonly string[]): Promise<Map<string, RunTag[]>> {
    const out = new Map<string, RunTag[]>(runIds.map((id) => [id, []]));
    if (!runIds.length) return out;
    const rows = await this.db
      .select({ runId: runTags.runId, key: runTags.key, value: runTags.value })
      .from(runTags)
      .where(inArray(runTags.runId, [...runIds]))
      .orderBy(asc(runTags.runId), asc(runTags.key));
    for (const r of rows) out.get(r.runId)?.push({ key: r.key, value: r.value });
    return out;
  }

  async setTags(runId: string, tags: readonly { key: string; value: string | null }[]): Promise<void> {
    await this.db
      .transaction(async (tx) => {
        const removed = tags.filter((t) => t.value === null).map((t) => t.key);
        if (removed.length) await tx.delete(runTags).where(and(eq(runTags.runId, runId), inArray(runTags.key, removed)));
        const set = tags.filter((t): t is RunTag => t.value !== null);
        if (set.length) await this.upsertTags(tx, runId, set);
      })
      .catch((error: unknown) => {
        if (sqlState(error) === '23503') throw new MetadataStoreError('not_found', `no run with id ${runId}`, { cause: error });
        throw error;
      });
  }

  async searchRunIds(search: RunSearch): Promise<string[]> {
    if (!search.experimentIds.length) return [];
    const experimentList = sql.join(
      search.experimentIds.map((id) => sql`${id}::text`),
      sql`, `,
    );
    const where = and(
      sql`exists (select 1 from ${experimentRuns} er where er.run_id = ${runs.id} and er.experiment_id in (${experimentList}))`,
      ...search.filter.map(clauseSql),
    );
    const order = search.order.flatMap(orderSql);
    const rows = await this.db
      .select({ id: runs.id })
      .from(runs)
      .where(where)
      .orderBy(...order, desc(runs.createdAt), desc(runs.seq))
      .limit(search.limit)
      .offset(search.offset);
    return rows.map((r) => r.id);
  }

  async searchRuns(search: RunListSearch): Promise<RunRecord[]> {
    const conditions: SQL[] = search.filter.map(clauseSql);
    if (search.pipelineName !== undefined) conditions.push(eq(pipelines.name, search.pipelineName));
    if (search.status !== undefined) conditions.push(eq(runs.status, search.status));
    if (search.triggerKind !== undefined) conditions.push(sql`${runs.trigger} ->> 'kind' = ${search.triggerKind}::text`);
    if (search.createdFrom !== undefined) conditions.push(gte(runs.createdAt, search.createdFrom));
    if (search.createdTo !== undefined) conditions.push(lt(runs.createdAt, search.createdTo));
    if (search.experimentId !== undefined) {
      conditions.push(sql`exists (select 1 from ${experimentRuns} er where er.run_id = ${runs.id} and er.experiment_id = ${search.experimentId}::text)`);
    }
    if (search.after !== undefined) {
      if (search.order.length) throw new Error('keyset paging (after) is for the default order only; page an ordered search by offset');
      conditions.push(sql`(${runs.createdAt}, ${runs.seq}) < (select c.created_at, c.seq from ${runs} c where c.id = ${search.after}::text)`);
    }
    // A metric order joins the run's latest value (one hash join) rather than a subquery per matching run.
    let query = selectRuns(this.db).$dynamic();
    const orderBy: SQL[] = [];
    search.order.forEach((o, i) => {
      if (o.by.entity !== 'metric') {
        orderBy.push(...orderSql(o));
        return;
      }
      const latest = alias(runLatestMetrics, `order_metric_${i}`);
      query = query.leftJoin(latest, and(eq(latest.runId, runs.id), eq(latest.key, o.by.key)));
      orderBy.push(sql`${latest.value} ${o.descending ? sql`desc` : sql`asc`} nulls last`);
    });
    return query
      .where(and(...conditions))
      .orderBy(...orderBy, desc(runs.createdAt), desc(runs.seq))
      .limit(search.limit)
      .offset(search.offset ?? 0);
  }

  async latestMetrics(runIds: readonly string[], keys?: readonly string[]): Promise<Map<string, LatestMetric[]>> {
    const out = new Map<string, LatestMetric[]>(runIds.map((id) => [id, []]));
    if (!runIds.length || keys?.length === 0) return out;
    const rows = await this.db
      .select({ runId: runLatestMetrics.runId, key: runLatestMetrics.key, value: runLatestMetrics.value, step: runLatestMetrics.step })
      .from(runLatestMetrics)
      .where(and(inArray(runLatestMetrics.runId, [...runIds]), keys ? inArray(runLatestMetrics.key, [...keys]) : undefined))
      .orderBy(asc(runLatestMetrics.runId), asc(runLatestMetrics.key));
    for (const r of rows) out.get(r.runId)?.push({ key: r.key, value: r.value, step: r.step });
    return out;
  }

  async recordLoggedArtifact(executionId: string, path: string, artifact: Omit<ArtifactRecord, 'createdAt' | 'id' | 'name'>): Promise<ArtifactRecord> {
    // The id names the content: uploading the same bytes to the same path again adds nothing.
    const id = `${executionId}.${LOGGED_PORT_PREFIX}${path}@${artifact.sha256.slice(0, 16)}`;
    return this.db.transaction(async (tx) => {
      await tx
        .insert(artifacts)
        .values({ id, name: path, type: artifact.type, uri: artifact.uri, sha256: artifact.sha256, size: artifact.size, properties: artifact.properties })
        .onConflictDoNothing();
      await tx
        .insert(events)
        .values({ executionId, artifactId: id, kind: 'output', port: `${LOGGED_PORT_PREFIX}${path}` })
        .onConflictDoUpdate({ target: [events.executionId, events.artifactId, events.kind, events.port], set: { createdAt: sql`now()` } });
      const [stored] = await tx.select().from(artifacts).where(eq(artifacts.id, id));
      if (!stored) throw new Error(`artifact ${id} vanished right after it was recorded`);
      return stored;
    });
  }

  async listLoggedArtifacts(executionId: string): Promise<LoggedArtifact[]> {
    const rows = await this.db
      .select({ port: events.port, artifact: artifacts })
      .from(events)
      .innerJoin(artifacts, eq(artifacts.id, events.artifactId))
      .where(and(eq(events.executionId, executionId), eq(events.kind, 'output'), sql`starts_with(${events.port}, ${LOGGED_PORT_PREFIX}::text)`))
      .orderBy(desc(events.createdAt));
    const newest = new Map<string, LoggedArtifact>();
    for (const r of rows) {
      const path = r.port.slice(LOGGED_PORT_PREFIX.length);
      if (!newest.has(path)) newest.set(path, { path, artifact: r.artifact });
    }
    return [...newest.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async experimentsOf(runIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(runIds.map((id) => [id, []]));
    if (!runIds.length) return out;
    const rows = await this.db
      .select({ runId: experimentRuns.runId, experimentId: experimentRuns.experimentId })
      .from(experimentRuns)
      .where(inArray(experimentRuns.runId, [...runIds]))
      .orderBy(asc(experimentRuns.addedAt));
    for (const r of rows) out.get(r.runId)?.push(r.experimentId);
    return out;
  }

  async experimentRefsOf(runIds: readonly string[]): Promise<Map<string, { id: string; name: string }>> {
    if (!runIds.length) return new Map();
    const rows = await this.db
      .select({ runId: experimentRuns.runId, id: experiments.id, name: experiments.name })
      .from(experimentRuns)
      .innerJoin(experiments, eq(experiments.id, experimentRuns.experimentId))
      .where(inArray(experimentRuns.runId, [...runIds]));
    return new Map(rows.map((r) => [r.runId, { id: r.id, name: r.name }]));
  }

  async deleteTrackedRun(runId: string): Promise<boolean> {
    const deleted = await this.db
      .delete(runs)
      .where(and(eq(runs.id, runId), sql`${runs.trigger} ->> 'kind' = ${MLFLOW_TRIGGER_KIND}::text`))
      .returning({ id: runs.id });
    return deleted.length > 0;
  }
}

/** The one execution of a tracked run. */
export const trackedExecutionId = (runId: string): string => `${runId}.${MLFLOW_TASK_ID}`;

/** The last value of each key wins. */
function dedupe(tags: readonly RunTag[]): RunTag[] {
  return [...new Map(tags.map((t) => [t.key, t])).values()];
}
