/**
 * The lineage explorer's graph, built up from API answers one neighbourhood at a time, and the pure
 * views of it the page draws: human names, what is left to load per node (the "+" on frontier
 * nodes), search matches, runs collapsed into one node each.
 *
 * Answers come from GET /api/artifacts/:id/lineage, /api/executions/:id/lineage and
 * /api/runs/:id/lineage; each carries `neighbours` (per node, how many neighbours it has each way in
 * the whole store), so a node shows a "+" exactly when the graph holds fewer than that.
 *
 * Reuse is folded: walks step only through executions that ran, and a node says how many cached
 * executions reused it (`reusedBy`); "↺ N" loads them (GET …/:id/reuse). A cached execution points
 * at its original (`cachedFrom`) and links to the artifacts it handed out with 'reused' edges.
 */
import type { Artifact, Execution, RunStatus } from '../runview/apiTypes';

export type LineageKind = 'artifact' | 'execution';
export type Direction = 'upstream' | 'downstream';
/** What a node's buttons load: one hop either way, or the cached executions folded into it. */
export type Expansion = Direction | 'reused';

export interface ReuseCount {
  executions: number;
  runs: number;
}

export interface LineageNodeDto {
  kind: LineageKind;
  id: string;
  depth?: number;
  artifact?: Artifact;
  execution?: Execution;
  reusedBy?: ReuseCount;
}

/**
 * Upstream → downstream: artifact → execution (input), execution → artifact (output: its one
 * producer), cached execution → artifact it handed out from the cache (reused).
 */
export interface LineageEdgeDto {
  from: string;
  to: string;
  kind: 'input' | 'output' | 'reused';
  port: string;
}

export interface NeighbourCounts {
  upstream: number;
  downstream: number;
  /** Cached executions folded into the node (absent from older servers). */
  reusedBy?: ReuseCount;
}

export interface LineageRunInfo {
  id: string;
  pipelineName: string;
  status: RunStatus;
  createdAt: string;
}

export interface LineageAnswer {
  root: string;
  nodes: LineageNodeDto[];
  edges: LineageEdgeDto[];
  truncated: boolean;
  neighbours?: ({ id: string } & NeighbourCounts)[];
  runs?: LineageRunInfo[];
}

export interface LineageState {
  root: string;
  nodes: Record<string, LineageNodeDto>;
  edges: Record<string, LineageEdgeDto>;
  neighbours: Record<string, NeighbourCounts>;
  runs: Record<string, LineageRunInfo>;
}

export const emptyLineage = (root: string): LineageState => ({ root, nodes: {}, edges: {}, neighbours: {}, runs: {} });

export const edgeKey = (e: LineageEdgeDto): string => `${e.from}\u0000${e.to}\u0000${e.kind}\u0000${e.port}`;

/** Adds an answer to the graph (a union; the newest neighbour counts and run records win). */
export function mergeLineage(state: LineageState, answer: LineageAnswer): LineageState {
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
  for (const { id, ...counts } of answer.neighbours ?? []) neighbours[id] = counts;
  const runs = { ...state.runs };
  for (const r of answer.runs ?? []) runs[r.id] = r;
  return { ...state, nodes, edges, neighbours, runs };
}

const isCached = (node: LineageNodeDto | undefined): boolean => node?.execution?.status === 'cached';

/**
 * Distinct neighbours the graph holds, counted as the API counts them: an artifact's producer
 * (output edges) upstream, the executions that ran on it downstream, the cached executions linked
 * to it as its reuses; an execution's inputs upstream, what it wrote or handed out downstream, the
 * cached executions whose original it is as its reuses.
 */
function presentNeighbours(state: LineageState, id: string): { upstream: Set<string>; downstream: Set<string>; reused: Set<string> } {
  const upstream = new Set<string>();
  const downstream = new Set<string>();
  const reused = new Set<string>();
  const node = state.nodes[id];
  if (node?.kind === 'artifact') {
    for (const e of Object.values(state.edges)) {
      const other = e.to === id ? e.from : e.from === id ? e.to : undefined;
      const otherNode = other !== undefined ? state.nodes[other] : undefined;
      if (other === undefined || !otherNode) continue;
      if (isCached(otherNode)) reused.add(other);
      else if (e.kind === 'output') upstream.add(other);
      else if (e.kind === 'input') downstream.add(other);
    }
  } else {
    for (const e of Object.values(state.edges)) {
      if (e.to === id && e.kind === 'input' && state.nodes[e.from]) upstream.add(e.from);
      if (e.from === id && e.kind !== 'input' && state.nodes[e.to]) downstream.add(e.to);
    }
    for (const n of Object.values(state.nodes)) if (n.execution?.cachedFrom === id) reused.add(n.id);
  }
  return { upstream, downstream, reused };
}

/** How many neighbours of a node are not loaded yet, each way and folded reuses (0 when the API did not count them). */
export function hiddenNeighbours(state: LineageState, id: string): { upstream: number; downstream: number; reused: number } {
  const total = state.neighbours[id];
  if (!total) return { upstream: 0, downstream: 0, reused: 0 };
  const present = presentNeighbours(state, id);
  return {
    upstream: Math.max(0, total.upstream - present.upstream.size),
    downstream: Math.max(0, total.downstream - present.downstream.size),
    reused: Math.max(0, (total.reusedBy?.executions ?? 0) - present.reused.size),
  };
}

/** The API path that loads one more hop from a node in one direction. */
export function expansionPath(node: Pick<LineageNodeDto, 'kind' | 'id'>, direction: Direction): string {
  const id = encodeURIComponent(node.id);
  return node.kind === 'artifact' ? `/api/artifacts/${id}/lineage?direction=${direction}&depth=1` : `/api/executions/${id}/lineage?direction=${direction}&depth=0`;
}

/** The API path that unfolds a node's reuse: the cached executions folded into it. */
export function reusePath(node: Pick<LineageNodeDto, 'kind' | 'id'>): string {
  return `/api/${node.kind === 'artifact' ? 'artifacts' : 'executions'}/${encodeURIComponent(node.id)}/reuse`;
}

/** The API path of an expansion of a node. */
export function expandPath(node: Pick<LineageNodeDto, 'kind' | 'id'>, expansion: Expansion): string {
  return expansion === 'reused' ? reusePath(node) : expansionPath(node, expansion);
}

/** Nodes with something left to load, with the directions (reuse stays folded until asked for). */
export function frontier(state: LineageState): { id: string; kind: LineageKind; directions: Direction[] }[] {
  return Object.values(state.nodes).flatMap((n) => {
    const hidden = hiddenNeighbours(state, n.id);
    const directions: Direction[] = [];
    if (hidden.upstream > 0) directions.push('upstream');
    if (hidden.downstream > 0) directions.push('downstream');
    return directions.length ? [{ id: n.id, kind: n.kind, directions }] : [];
  });
}

/** The run a node belongs to: an execution's own; an artifact's producer's (cached executions only reuse it). */
export function runOf(state: LineageState, id: string): string | undefined {
  const node = state.nodes[id];
  if (!node) return undefined;
  if (node.execution) return node.execution.runId;
  for (const e of Object.values(state.edges)) {
    if (e.to === id && e.kind === 'output') {
      const producer = state.nodes[e.from]?.execution;
      if (producer) return producer.runId;
    }
  }
  return undefined;
}

/** "reused by 2 runs" (the runs whose cached executions were folded into the node); empty when never reused. */
export function reuseText(count: ReuseCount | undefined): string {
  if (!count || count.executions === 0) return '';
  return `reused by ${count.runs} run${count.runs === 1 ? '' : 's'}`;
}

/** How a node is folded with reuse, in words: "reused from split in iris run r1", "reused by 3 runs". */
export function reuseNote(state: LineageState, node: LineageNodeDto): string {
  const from = node.execution?.cachedFrom;
  if (from) {
    const original = state.nodes[from]?.execution;
    const run = original ? state.runs[original.runId] : undefined;
    return `reused from ${original ? `${original.taskId} in ${run ? `${run.pipelineName} run ${run.id}` : `run ${original.runId}`}` : from}`;
  }
  return reuseText(state.neighbours[node.id]?.reusedBy ?? node.reusedBy);
}

/** A person's name for a node: "Dataset split.train", "train-classifier" — never a bare id when there is better. */
export function nodeName(node: LineageNodeDto): string {
  if (node.artifact) return `${node.artifact.type} ${node.artifact.name}`;
  if (node.execution) return node.execution.taskId;
  return node.id;
}

/** A second line: component and run for an execution, size for an artifact. */
export function nodeSubtitle(state: LineageState, node: LineageNodeDto): string {
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
  hidden: { upstream: number; downstream: number; reused: number };
  /** Reuse in words ("reused by 2 runs", "reused from split in iris run r1"); empty when none. */
  reuse: string;
  isRoot: boolean;
  /** A collapsed run: how many nodes it stands for. */
  members?: number;
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  /** data: an input or output; reuse: a cached execution and what it reused (drawn dashed). */
  kind: 'data' | 'reuse';
}

/**
 * What to draw: every node, except that the nodes of a collapsed run become one node, with edges
 * rerouted to it (edges inside the run vanish, parallel edges merge). A cached execution whose
 * original is loaded but shares no loaded artifact with it gets a reuse edge from it.
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
          hidden: { upstream: 0, downstream: 0, reused: 0 },
          reuse: '',
          isRoot: n.id === state.root || run === state.root,
          members: 1,
        });
      }
      continue;
    }
    mapped.set(n.id, n.id);
    nodes.push({
      id: n.id,
      kind: n.kind,
      refId: n.id,
      name: nodeName(n),
      subtitle: nodeSubtitle(state, n),
      tag: n.artifact?.type ?? n.execution?.status ?? '',
      ...(run !== undefined ? { runId: run } : {}),
      hidden: hiddenNeighbours(state, n.id),
      reuse: reuseNote(state, n),
      isRoot: n.id === state.root,
    });
  }
  const edges = new Map<string, ViewEdge>();
  const add = (from: string, to: string, label: string, kind: ViewEdge['kind']): void => {
    const source = mapped.get(from);
    const target = mapped.get(to);
    if (source === undefined || target === undefined || source === target) return;
    const id = `${source}->${target}`;
    const seen = edges.get(id);
    if (seen) {
      if (!seen.label.split(', ').includes(label)) seen.label = `${seen.label}, ${label}`;
      if (kind === 'data') seen.kind = 'data';
    } else edges.set(id, { id, source, target, label, kind });
  };
  for (const e of Object.values(state.edges)) add(e.from, e.to, e.kind === 'reused' ? `reused ${e.port}` : e.port, e.kind === 'reused' ? 'reuse' : 'data');
  // A cached execution beside its original: linked through the artifacts both point at, or else
  // (nothing shared loaded) by an edge of its own, so it never floats.
  const edgeList = Object.values(state.edges);
  for (const n of Object.values(state.nodes)) {
    const from = n.execution?.cachedFrom;
    if (!from || !state.nodes[from]) continue;
    const shared = edgeList.some((e) => e.from === n.id && e.kind === 'reused' && state.edges[edgeKey({ from, to: e.to, kind: 'output', port: e.port })]);
    if (!shared) add(from, n.id, 'reused by', 'reuse');
  }
  return { nodes: [...nodes, ...groups.values()], edges: [...edges.values()] };
}

/** The runs present in the graph with how many nodes each holds, newest first (the collapse toggles). */
export function runsInGraph(state: LineageState): { run: LineageRunInfo | { id: string }; count: number }[] {
  const counts = new Map<string, number>();
  for (const id of Object.keys(state.nodes)) {
    const run = runOf(state, id);
    if (run !== undefined) counts.set(run, (counts.get(run) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([id, count]) => ({ run: state.runs[id] ?? { id }, count }))
    .sort((a, b) => ('createdAt' in b.run ? b.run.createdAt : '').localeCompare('createdAt' in a.run ? a.run.createdAt : ''));
}
