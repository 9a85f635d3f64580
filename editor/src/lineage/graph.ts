/**
 * The lineage explorer's graph, built up from API answers one neighbourhood at a time, and the pure
 * views of it the page draws: human names, what is left to load per node (the "+" on frontier
 * nodes), search matches, runs collapsed into one node each.
 *
 * Answers come from GET /api/artifacts/:id/lineage, /api/executions/:id/lineage and
 * /api/runs/:id/lineage; each carries `neighbours` (per node, how many neighbours it has each way in
 * the whole store), so a node shows a "+" exactly when the graph holds fewer than that.
 */
import type { LineageEdge, LineageNeighbourhood, LineageNeighbours, LineageNode, LineageRun, ReuseCount } from 'sluice/api';

export type LineageKind = LineageNode['kind'];
/** A node the explorer holds: its distance is known only when an answer counted it from the start. */
export type HeldNode = Omit<LineageNode, 'depth'> & { depth?: number };
export type Direction = 'upstream' | 'downstream';

export interface LineageState {
  root: string;
  nodes: Record<string, HeldNode>;
  edges: Record<string, LineageEdge>;
  neighbours: Record<string, Omit<LineageNeighbours, 'id'>>;
  runs: Record<string, LineageRun>;
}

export const emptyLineage = (root: string): LineageState => ({ root, nodes: {}, edges: {}, neighbours: {}, runs: {} });

export const edgeKey = (e: LineageEdge): string => `${e.from}\u0000${e.to}\u0000${e.kind}\u0000${e.port}`;

/** Adds an answer to the graph (a union; the newest neighbour counts and run records win). */
export function mergeLineage(state: LineageState, answer: LineageNeighbourhood): LineageState {
  const nodes = { ...state.nodes };
  const fromStart = answer.root === state.root;
  for (const n of answer.nodes) {
    const seen = nodes[n.id];
    // Distances count from the start: an expansion's answer counts from elsewhere, so it adds none.
    const depth = seen?.depth !== undefined ? (fromStart && n.depth !== undefined ? Math.min(seen.depth, n.depth) : seen.depth) : fromStart ? n.depth : undefined;
    const { depth: _ignored, ...rest } = n;
    nodes[n.id] = depth !== undefined ? { ...rest, depth } : rest;
  }
  const edges = { ...state.edges };
  for (const e of answer.edges) edges[edgeKey(e)] = e;
  const neighbours = { ...state.neighbours };
  for (const { id, ...counts } of answer.neighbours) neighbours[id] = counts;
  const runs = { ...state.runs };
  for (const r of answer.runs) runs[r.id] = r;
  return { ...state, nodes, edges, neighbours, runs };
}

/** Distinct neighbours the graph holds each way. */
function presentNeighbours(state: LineageState, id: string): { upstream: Set<string>; downstream: Set<string> } {
  const upstream = new Set<string>();
  const downstream = new Set<string>();
  for (const e of Object.values(state.edges)) {
    if (e.to === id && state.nodes[e.from]) upstream.add(e.from);
    if (e.from === id && state.nodes[e.to]) downstream.add(e.to);
  }
  return { upstream, downstream };
}

/** How many neighbours of a node are not loaded yet, each way (0 when the API did not count them). */
export function hiddenNeighbours(state: LineageState, id: string): { upstream: number; downstream: number } {
  const total = state.neighbours[id];
  if (!total) return { upstream: 0, downstream: 0 };
  const present = presentNeighbours(state, id);
  return { upstream: Math.max(0, total.upstream - present.upstream.size), downstream: Math.max(0, total.downstream - present.downstream.size) };
}

/** The API call that loads one more hop from a node in one direction. */
export type ExpansionRequest =
  | { operation: 'getArtifactLineage'; params: { artifactId: string }; query: { direction: Direction; depth: 1 } }
  | { operation: 'getExecutionLineage'; params: { executionId: string }; query: { direction: Direction; depth: 0 } };

export function expansionRequest(node: Pick<HeldNode, 'kind' | 'id'>, direction: Direction): ExpansionRequest {
  return node.kind === 'artifact'
    ? { operation: 'getArtifactLineage', params: { artifactId: node.id }, query: { direction, depth: 1 } }
    : { operation: 'getExecutionLineage', params: { executionId: node.id }, query: { direction, depth: 0 } };
}

/** Nodes with something left to load, with the directions. */
export function frontier(state: LineageState): { id: string; kind: LineageKind; directions: Direction[] }[] {
  return Object.values(state.nodes).flatMap((n) => {
    const hidden = hiddenNeighbours(state, n.id);
    const directions: Direction[] = [];
    if (hidden.upstream > 0) directions.push('upstream');
    if (hidden.downstream > 0) directions.push('downstream');
    return directions.length ? [{ id: n.id, kind: n.kind, directions }] : [];
  });
}

/**
 * The run a node belongs to: an execution's own; an artifact's producer's. A cached execution also
 * has output events to the artifacts it reused, so the producer that really ran wins.
 */
export function runOf(state: LineageState, id: string): string | undefined {
  const node = state.nodes[id];
  if (!node) return undefined;
  if (node.execution) return node.execution.runId;
  let reused: string | undefined;
  for (const e of Object.values(state.edges)) {
    if (e.to !== id || e.kind !== 'output') continue;
    const producer = state.nodes[e.from]?.execution;
    if (producer && producer.status !== 'cached') return producer.runId;
    reused ??= producer?.runId;
  }
  return reused;
}

/** A person's name for a node: "Dataset split.train", "train-classifier" — never a bare id when there is better. */
export function nodeName(node: HeldNode): string {
  if (node.artifact) return `${node.artifact.type} ${node.artifact.name}`;
  if (node.execution) return node.execution.taskId;
  return node.id;
}

/** A second line: component and run for an execution, size for an artifact. */
export function nodeSubtitle(state: LineageState, node: HeldNode): string {
  if (node.execution) {
    const run = state.runs[node.execution.runId];
    const component = node.execution.componentName !== node.execution.taskId ? `${node.execution.componentName} · ` : '';
    return `${component}${run ? `${run.pipelineName} run ${run.id}` : `run ${node.execution.runId}`}`;
  }
  if (node.artifact) {
    const run = runOf(state, node.id);
    const info = run ? state.runs[run] : undefined;
    return `${formatBytes(node.artifact.size)}${info ? ` · ${info.pipelineName} run ${info.id}` : ''}`;
  }
  return '';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** Ids of nodes whose name, type, task, component or id contains the text (case-insensitive). */
export function searchNodes(state: LineageState, text: string): Set<string> {
  const needle = text.trim().toLowerCase();
  const hits = new Set<string>();
  if (!needle) return hits;
  for (const n of Object.values(state.nodes)) {
    const hay = [nodeName(n), n.id, n.execution?.componentName ?? '', n.artifact?.type ?? '', state.runs[runOf(state, n.id) ?? '']?.pipelineName ?? ''].join('\n').toLowerCase();
    if (hay.includes(needle)) hits.add(n.id);
  }
  return hits;
}

export interface ViewNode {
  /** Node id; `run:<runId>` for a collapsed run. */
  id: string;
  kind: LineageKind | 'run';
  /** The id the API knows (artifact, execution or run id). */
  refId: string;
  name: string;
  subtitle: string;
  /** Artifact type, execution status or run status, for the look. */
  tag: string;
  runId?: string;
  hidden: { upstream: number; downstream: number };
  isRoot: boolean;
  /** A collapsed run: how many nodes it stands for. */
  members?: number;
  /** Cached steps of later runs that reused it, folded: "reused by 2 runs". */
  reused?: string;
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  label: string;
}

/**
 * What to draw: every node, except that the nodes of a collapsed run become one node, with edges
 * rerouted to it (edges inside the run vanish, parallel edges merge).
 */
export function viewGraph(state: LineageState, collapsedRuns: ReadonlySet<string>): { nodes: ViewNode[]; edges: ViewEdge[] } {
  const mapped = new Map<string, string>();
  const groups = new Map<string, ViewNode>();
  const nodes: ViewNode[] = [];
  for (const n of Object.values(state.nodes)) {
    const run = runOf(state, n.id);
    if (run !== undefined && collapsedRuns.has(run)) {
      const id = `run:${run}`;
      mapped.set(n.id, id);
      const group = groups.get(id);
      if (group) {
        group.members = (group.members ?? 0) + 1;
        group.isRoot ||= n.id === state.root;
      } else {
        const info = state.runs[run];
        groups.set(id, {
          id,
          kind: 'run',
          refId: run,
          name: info ? `${info.pipelineName} run` : 'run',
          subtitle: run,
          tag: info?.status ?? '',
          runId: run,
          hidden: { upstream: 0, downstream: 0 },
          isRoot: n.id === state.root || run === state.root,
          members: 1,
        });
      }
      continue;
    }
    mapped.set(n.id, n.id);
    const reused = n.kind === 'artifact' ? reuseLabel(reuseCount(state, n.id)) : undefined;
    nodes.push({
      ...(reused !== undefined ? { reused } : {}),
      id: n.id,
      kind: n.kind,
      refId: n.id,
      name: nodeName(n),
      subtitle: nodeSubtitle(state, n),
      tag: n.artifact?.type ?? n.execution?.status ?? '',
      ...(run !== undefined ? { runId: run } : {}),
      hidden: hiddenNeighbours(state, n.id),
      isRoot: n.id === state.root,
    });
  }
  const edges = new Map<string, ViewEdge>();
  for (const e of Object.values(state.edges)) {
    const source = mapped.get(e.from);
    const target = mapped.get(e.to);
    if (source === undefined || target === undefined || source === target) continue;
    const id = `${source}->${target}`;
    const seen = edges.get(id);
    if (seen) {
      if (!seen.label.split(', ').includes(e.port)) seen.label = `${seen.label}, ${e.port}`;
    } else edges.set(id, { id, source, target, label: e.port });
  }
  return { nodes: [...nodes, ...groups.values()], edges: [...edges.values()] };
}

/** The runs present in the graph with how many nodes each holds, newest first (the collapse toggles). */
export function runsInGraph(state: LineageState): { run: LineageRun | { id: string }; count: number }[] {
  const counts = new Map<string, number>();
  for (const id of Object.keys(state.nodes)) {
    const run = runOf(state, id);
    if (run !== undefined) counts.set(run, (counts.get(run) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([id, count]) => ({ run: state.runs[id] ?? { id }, count }))
    .sort((a, b) => ('createdAt' in b.run ? b.run.createdAt : '').localeCompare('createdAt' in a.run ? a.run.createdAt : ''));
}

/** How often a node was reused from the cache: on the node itself, else in the neighbour counts. */
export function reuseCount(state: LineageState, id: string): ReuseCount | undefined {
  return state.nodes[id]?.reusedBy ?? state.neighbours[id]?.reusedBy;
}

/** "reused by 2 runs", or undefined when nothing reused it. */
export function reuseLabel(count: ReuseCount | undefined): string | undefined {
  if (!count || count.runs === 0) return undefined;
  return `reused by ${count.runs} run${count.runs === 1 ? '' : 's'}`;
}

/** One cached step that reused a node: where it ran, for a link to that run. */
export interface ReuseEntry {
  executionId: string;
  runId: string;
  runName: string;
  taskId: string;
}

/**
 * The answer of GET /api/artifacts/:id/reuse (or /api/executions/:id/reuse) as a list: each cached
 * execution linked to the node, in the answer's order (oldest first), named by its run.
 */
export function reuseEntries(answer: LineageNeighbourhood, id: string): ReuseEntry[] {
  const runs = new Map(answer.runs.map((r) => [r.id, r]));
  const linked = new Set(answer.edges.filter((e) => e.from === id || e.to === id).flatMap((e) => [e.from, e.to]));
  return answer.nodes.flatMap((n) => {
    const e = n.execution;
    if (!e || n.id === id || e.status !== 'cached' || !linked.has(n.id)) return [];
    const run = runs.get(e.runId);
    return [{ executionId: e.id, runId: e.runId, runName: run ? `${run.pipelineName} run ${run.id}` : `run ${e.runId}`, taskId: e.taskId }];
  });
}

/**
 * The execution that wrote an artifact: its `output` edge (one per artifact). Cached executions that
 * handed it out are linked by `reused` edges and are not its makers.
 */
export function madeBy(state: LineageState, artifactId: string): LineageEdge[] {
  return Object.values(state.edges).filter((e) => e.to === artifactId && e.kind === 'output' && state.nodes[e.from]?.execution?.status !== 'cached');
}
