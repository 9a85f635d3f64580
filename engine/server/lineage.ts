/**
 * Lineage: the graph of events (artifact → execution for inputs, execution → artifact for outputs)
 * around an artifact or an execution (depth-bounded, recursive CTEs in the store), or the whole
 * graph of one run.
 *
 * Every answer also says, per node, how many neighbours it has each way in the whole store
 * (`neighbours`) and names the runs its executions belong to (`runs`): the lineage explorer loads a
 * neighbourhood lazily, one hop at a time, and needs to know which nodes have more behind them
 * without asking for the next hop first.
 *
 * Reuse is folded: walks step only through executions that ran, and a node reused from the cache
 * says by how many cached executions (`reusedBy`); `…/reuse` lists them (the fold expanded). A run's
 * own graph shows its cached executions with 'reused' edges to the artifacts they handed out.
 */
import type { ArtifactRecord, EventRecord, ExecutionRecord, LineageEdge, LineageGraph, LineageNode, MetadataStore, RunRecord } from '../stores/metadata/index';
import { requireRun, type ApiContext } from './context';
import { notFound } from './problem';
import { implement, type ApiRoute } from './routing';

/** Nodes whose neighbour counts are computed (one small indexed query each); beyond, counts are left out. */
const NEIGHBOUR_COUNT_LIMIT = 2000;
/** Cached executions one reuse answer lists by default. */
const REUSE_LIMIT = 100;

export interface LineageNeighbourhood extends LineageGraph {
  neighbours: { id: string; upstream: number; downstream: number; reusedBy: { executions: number; runs: number } }[];
  runs: { id: string; pipelineName: string; status: RunRecord['status']; createdAt: Date }[];
}

/** Upstream → downstream: an input from its artifact; an output or a reuse from its execution. */
const edgeOf = (e: EventRecord): LineageEdge =>
  e.kind === 'input' ? { from: e.artifactId, to: e.executionId, kind: e.kind, port: e.port } : { from: e.executionId, to: e.artifactId, kind: e.kind, port: e.port };
const edgeKey = (e: LineageEdge): string => `${e.from}\u0000${e.to}\u0000${e.kind}\u0000${e.port}`;

/**
 * Adds what the explorer needs to a graph: neighbour counts per node (as the store's walks count
 * them), the edges between its nodes that the walk did not return (two walks merged), and the runs
 * of its executions.
 */
export async function describeNeighbourhood(metadata: MetadataStore, graph: LineageGraph): Promise<LineageNeighbourhood> {
  const edges = new Map(graph.edges.map((e) => [edgeKey(e), e]));
  const idsOf = (nodes: LineageNode[], kind: LineageNode['kind']) => nodes.filter((n) => n.kind === kind).map((n) => n.id);
  const counted = graph.nodes.slice(0, NEIGHBOUR_COUNT_LIMIT);
  const [neighbours, between] = await Promise.all([
    metadata.countLineageNeighbours({ artifactIds: idsOf(counted, 'artifact'), executionIds: idsOf(counted, 'execution') }),
    metadata.listEventsBetween({ artifactIds: idsOf(graph.nodes, 'artifact'), executionIds: idsOf(graph.nodes, 'execution') }),
  ]);
  for (const e of between) {
    const edge = edgeOf(e);
    edges.set(edgeKey(edge), edge);
  }
  const runIds = [...new Set(graph.nodes.flatMap((n) => (n.execution ? [n.execution.runId] : [])))];
  const runs = (await Promise.all(runIds.map((id) => metadata.getRun(id)))).flatMap((r) =>
    r ? [{ id: r.id, pipelineName: r.pipelineName, status: r.status, createdAt: r.createdAt }] : [],
  );
  return {
    ...graph,
    edges: [...edges.values()].sort((a, b) => (edgeKey(a) < edgeKey(b) ? -1 : 1)),
    neighbours,
    runs,
  };
}

/**
 * The cached executions folded into `root` (at most `limit`), as a graph around it. For an
 * execution, also the artifacts it wrote, which they handed out: the reuse edges come with them.
 */
async function reuseGraph(metadata: MetadataStore, root: LineageNode, limit: number): Promise<LineageGraph> {
  const target = root.kind === 'artifact' ? { artifactId: root.id } : { executionId: root.id };
  // One more than asked: whether the list was cut short.
  const found = await metadata.listReusingExecutions(target, { limit: limit + 1 });
  const nodes = [root, ...found.slice(0, limit).map((execution: ExecutionRecord): LineageNode => ({ kind: 'execution', id: execution.id, depth: 1, execution }))];
  if (root.kind === 'execution') {
    for (const e of await metadata.listEvents({ executionId: root.id })) {
      const artifact = e.kind === 'output' ? await metadata.getArtifact(e.artifactId) : undefined;
      if (artifact) nodes.push({ kind: 'artifact', id: artifact.id, depth: 1, artifact });
    }
  }
  return { root: root.id, nodes, edges: [], truncated: found.length > limit };
}

/** Merges walks: a node reached twice keeps its shorter distance; edges are deduplicated. */
function mergeGraphs(root: string, graphs: LineageGraph[], extra: LineageNode[] = []): LineageGraph {
  const nodes = new Map<string, LineageNode>();
  for (const n of [...extra, ...graphs.flatMap((g) => g.nodes)]) {
    const seen = nodes.get(n.id);
    if (!seen || n.depth < seen.depth) nodes.set(n.id, n);
  }
  const edges = new Map<string, LineageEdge>();
  for (const e of graphs.flatMap((g) => g.edges)) edges.set(edgeKey(e), e);
  return { root, nodes: [...nodes.values()].sort((a, b) => a.depth - b.depth || (a.id < b.id ? -1 : 1)), edges: [...edges.values()], truncated: graphs.some((g) => g.truncated) };
}

export function lineageRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    implement('getArtifactLineage', {
      handler: async ({ params, query }) => {
        if (!(await ctx.metadata.getArtifact(params.artifactId))) {
          throw notFound(`no artifact with id "${params.artifactId}" (GET /api/runs/{runId} lists a run's artifacts)`, '/params/artifactId');
        }
        const graph = await ctx.metadata.lineage(params.artifactId, { direction: query.direction ?? 'both', depth: query.depth ?? 10 });
        return { body: await describeNeighbourhood(ctx.metadata, graph) };
      },
    }),
    implement('getExecutionLineage', {
      handler: async ({ params, query }) => {
        const execution = await ctx.metadata.getExecution(params.executionId);
        if (!execution) throw notFound(`no execution with id "${params.executionId}" (GET /api/runs/{runId} lists a run's executions)`, '/params/executionId');
        const direction = query.direction ?? 'both';
        const depth = query.depth ?? 0;
        const events = (await ctx.metadata.listEvents({ executionId: execution.id })).filter(
          (e) => direction === 'both' || (direction === 'upstream') === (e.kind === 'input'),
        );
        const walks: LineageGraph[] = [];
        const near: LineageNode[] = [{ kind: 'execution', id: execution.id, depth: 0, execution }];
        for (const e of events) {
          if (depth > 0) {
            walks.push(await ctx.metadata.lineage(e.artifactId, { direction: e.kind === 'input' ? 'upstream' : 'downstream', depth }));
          }
          const artifact = await ctx.metadata.getArtifact(e.artifactId);
          if (artifact) near.push({ kind: 'artifact', id: artifact.id, depth: 0, artifact });
        }
        walks.push({ root: execution.id, nodes: [], edges: events.map(edgeOf), truncated: false });
        const graph = mergeGraphs(execution.id, walks, near);
        return { body: await describeNeighbourhood(ctx.metadata, graph) };
      },
    }),
    implement('getArtifactReuse', {
      handler: async ({ params, query }) => {
        const artifact = await ctx.metadata.getArtifact(params.artifactId);
        if (!artifact) throw notFound(`no artifact with id "${params.artifactId}" (GET /api/runs/{runId} lists a run's artifacts)`, '/params/artifactId');
        const graph = await reuseGraph(ctx.metadata, { kind: 'artifact', id: artifact.id, depth: 0, artifact }, query.limit ?? REUSE_LIMIT);
        return { body: await describeNeighbourhood(ctx.metadata, graph) };
      },
    }),
    implement('getExecutionReuse', {
      handler: async ({ params, query }) => {
        const execution = await ctx.metadata.getExecution(params.executionId);
        if (!execution) throw notFound(`no execution with id "${params.executionId}" (GET /api/runs/{runId} lists a run's executions)`, '/params/executionId');
        const graph = await reuseGraph(ctx.metadata, { kind: 'execution', id: execution.id, depth: 0, execution }, query.limit ?? REUSE_LIMIT);
        return { body: await describeNeighbourhood(ctx.metadata, graph) };
      },
    }),
    implement('getRunLineage', {
      handler: async ({ params }) => {
        const run = await requireRun(ctx, params.runId);
        const [executions, events, produced] = await Promise.all([
          ctx.metadata.listExecutions(run.id),
          ctx.metadata.listEvents({ runId: run.id }),
          ctx.metadata.listRunArtifacts(run.id),
        ]);
        const artifacts = new Map<string, ArtifactRecord>();
        for (const { taskId: _t, port: _p, ...a } of produced) artifacts.set(a.id, a);
        for (const e of events) {
          if (artifacts.has(e.artifactId)) continue;
          const a = await ctx.metadata.getArtifact(e.artifactId);
          if (a) artifacts.set(a.id, a);
        }
        const nodes: LineageNode[] = [
          ...executions.map((execution): LineageNode => ({ kind: 'execution', id: execution.id, depth: 0, execution })),
          ...[...artifacts.values()].map((artifact): LineageNode => ({ kind: 'artifact', id: artifact.id, depth: 0, artifact })),
        ];
        const edges: LineageEdge[] = events.map(edgeOf);
        return { body: await describeNeighbourhood(ctx.metadata, { root: run.id, nodes, edges, truncated: false }) };
      },
    }),
  ];
}
