/** LineageStore over drizzle: `events`, and the graph they make over `executions` and `artifacts`. */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { ARTIFACT_COLUMNS, getArtifactIn } from '../artifacts/DrizzleArtifactRecordStore';
import type { ArtifactRecord } from '../artifacts/ArtifactRecordStore';
import { anyOf, rowsOf } from '../database';
import type { MetadataDatabase } from '../database';
import { selectExecutions } from '../executions/DrizzleExecutionStore';
import type { ExecutionRecord } from '../executions/ExecutionStore';
import { artifacts, events, executions } from '../schema';
import { recordEventsIn } from './recordEvents';
import type { EventRecord, LineageEdge, LineageGraph, LineageNeighbours, LineageNode, LineageStore, ReuseCount } from './LineageStore';

/** Deeper than any real pipeline chain; lineage() clamps its depth to this. */
const MAX_LINEAGE_DEPTH = 1000;
const NO_REUSE: ReuseCount = { executions: 0, runs: 0 };

const EVENT_COLUMNS = {
  executionId: events.executionId,
  artifactId: events.artifactId,
  kind: events.kind,
  port: events.port,
};

interface Walk {
  artifacts: Map<string, number>;
  executions: Map<string, number>;
  truncated: boolean;
}

export class DrizzleLineageStore implements LineageStore {
  constructor(private readonly db: MetadataDatabase) {}

  async recordEvent(e: EventRecord): Promise<void> {
    await recordEventsIn(this.db, [e]);
  }

  async listEvents(filter: { executionId?: string; artifactId?: string; runId?: string }): Promise<EventRecord[]> {
    const conditions: SQL[] = [];
    if (filter.executionId !== undefined) conditions.push(eq(events.executionId, filter.executionId));
    if (filter.artifactId !== undefined) conditions.push(eq(events.artifactId, filter.artifactId));
    if (filter.runId !== undefined) conditions.push(eq(executions.runId, filter.runId));
    return this.db
      .select(EVENT_COLUMNS)
      .from(events)
      .innerJoin(executions, eq(executions.id, events.executionId))
      .where(and(...conditions))
      .orderBy(asc(executions.seq), asc(events.kind), asc(events.port), asc(events.artifactId));
  }

  async listEventsBetween(nodes: { artifactIds: readonly string[]; executionIds: readonly string[] }): Promise<EventRecord[]> {
    if (nodes.artifactIds.length === 0 || nodes.executionIds.length === 0) return [];
    return this.db
      .select(EVENT_COLUMNS)
      .from(events)
      .innerJoin(executions, eq(executions.id, events.executionId))
      .where(and(anyOf(events.artifactId, [...nodes.artifactIds]), anyOf(events.executionId, [...nodes.executionIds])))
      .orderBy(asc(executions.seq), asc(events.kind), asc(events.port), asc(events.artifactId));
  }

  async listRunArtifacts(runId: string): Promise<(ArtifactRecord & { taskId: string; port: string; reused: boolean })[]> {
    return this.db
      .select({ ...ARTIFACT_COLUMNS, taskId: executions.taskId, port: events.port, reused: sql<boolean>`${events.kind} = 'reused'`.mapWith(Boolean) })
      .from(events)
      .innerJoin(executions, eq(executions.id, events.executionId))
      .innerJoin(artifacts, eq(artifacts.id, events.artifactId))
      .where(and(eq(executions.runId, runId), inArray(events.kind, ['output', 'reused'])))
      .orderBy(asc(executions.seq), asc(events.port));
  }

  async lineage(
    artifactId: string,
    options: { direction: 'upstream' | 'downstream' | 'both'; depth: number },
  ): Promise<LineageGraph> {
    const root = await getArtifactIn(this.db, artifactId);
    if (!root) return { root: artifactId, nodes: [], edges: [], truncated: false };
    // A finite bound even for Infinity/NaN, so that bad data (a cycle) can never make the walk endless.
    const bound = Number.isFinite(options.depth)
      ? Math.min(MAX_LINEAGE_DEPTH, Math.max(0, Math.floor(options.depth)))
      : MAX_LINEAGE_DEPTH;

    const walks: Walk[] = [];
    if (options.direction !== 'downstream') walks.push(await this.#walk(artifactId, 'upstream', bound));
    if (options.direction !== 'upstream') walks.push(await this.#walk(artifactId, 'downstream', bound));

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
      this.db.select(ARTIFACT_COLUMNS).from(artifacts).where(anyOf(artifacts.id, artifactIds)),
      executionIds.length === 0
        ? Promise.resolve([])
        : selectExecutions(this.db).where(anyOf(executions.id, executionIds)),
      // The edges are every event between two nodes of the graph (the induced subgraph), which
      // also shows links between the two sides of a 'both' walk.
      executionIds.length === 0
        ? Promise.resolve([])
        : this.db
            .select(EVENT_COLUMNS)
            .from(events)
            .where(and(anyOf(events.executionId, executionIds), anyOf(events.artifactId, artifactIds), inArray(events.kind, ['input', 'output']))),
    ]);
    const reuse = await this.#reuseCounts(artifactIds, executionIds);

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
  async #walk(root: string, direction: 'upstream' | 'downstream', bound: number): Promise<Walk> {
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
    const rows = await rowsOf<{ node: string; id: string | null; depth: number | null }>(this.db, query);
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
        : rowsOf<{ id: string; upstream: number; downstream: number }>(this.db, sql`
            select e.artifact_id as id,
                   count(distinct e.execution_id) filter (where e.kind = 'output')::int as upstream,
                   count(distinct e.execution_id) filter (where e.kind = 'input')::int as downstream
            from ${events} e join ${executions} x on x.id = e.execution_id
            where e.artifact_id = any(${sql.param(artifactIds)}::text[]) and x.status <> 'cached'
            group by e.artifact_id`),
      executionIds.length === 0
        ? Promise.resolve([])
        : rowsOf<{ id: string; upstream: number; downstream: number }>(this.db, sql`
            select e.execution_id as id,
                   count(distinct e.artifact_id) filter (where e.kind = 'input')::int as upstream,
                   count(distinct e.artifact_id) filter (where e.kind in ('output', 'reused'))::int as downstream
            from ${events} e
            where e.execution_id = any(${sql.param(executionIds)}::text[])
            group by e.execution_id`),
      this.#reuseCounts(artifactIds, executionIds),
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
    const query = selectExecutions(this.db).where(condition).orderBy(asc(executions.startedAt), asc(executions.seq));
    return options.limit === undefined ? query : query.limit(options.limit);
  }

  /** The cached executions folded into each node (see LineageNode.reusedBy); nodes without any are left out. */
  async #reuseCounts(artifactIds: readonly string[], executionIds: readonly string[]): Promise<Map<string, ReuseCount>> {
    const [byArtifact, byExecution] = await Promise.all([
      artifactIds.length === 0
        ? Promise.resolve([])
        : rowsOf<{ id: string; executions: number; runs: number }>(this.db, sql`
            select e.artifact_id as id, count(distinct x.id)::int as executions, count(distinct x.run_id)::int as runs
            from ${events} e join ${executions} x on x.id = e.execution_id
            where e.artifact_id = any(${sql.param([...artifactIds])}::text[]) and x.status = 'cached'
            group by e.artifact_id`),
      executionIds.length === 0
        ? Promise.resolve([])
        : rowsOf<{ id: string; executions: number; runs: number }>(this.db, sql`
            select cached_from as id, count(*)::int as executions, count(distinct run_id)::int as runs
            from ${executions}
            where cached_from = any(${sql.param([...executionIds])}::text[])
            group by cached_from`),
    ]);
    return new Map([...byArtifact, ...byExecution].map((r) => [r.id, { executions: Number(r.executions), runs: Number(r.runs) }]));
  }
}

