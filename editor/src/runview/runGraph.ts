/**
 * The run graph's React Flow nodes and edges: the pipeline's graph (graph/pipelineGraph.ts, the
 * same one the editor draws), placed by the layout, with each task's state from the run view state.
 * Pure, so what a node says for a state is unit-tested.
 */
import type { Edge } from '@xyflow/react';
import type { GraphEdge, GraphNode, PipelineGraph } from '../graph/pipelineGraph';
import type { NodeBox } from '../layout/layoutGraph';
import type { RunFlowNode, RunLoopNode } from './RunNode';
import { formatDuration, nodeView, taskDuration, type RunViewState, type TaskView } from './runState';

/** "1.2 s · attempt 2 · 3/10 items" */
export function taskDetail(view: TaskView & { paths?: number }, now: number): string {
  const parts: string[] = [];
  const d = taskDuration(view, now);
  if (d !== undefined && view.state !== 'cached') parts.push(formatDuration(d));
  if (view.state === 'cached') parts.push(view.cachedFrom ? 'reused' : 'from cache');
  if (view.attempt > 1) parts.push(`attempt ${view.attempt}`);
  if (view.items) parts.push(`${view.items.done}/${view.items.total} items${view.items.failed ? `, ${view.items.failed} failed` : ''}`);
  else if (view.paths !== undefined && view.paths > 1) parts.push(`${view.paths} runs`);
  return parts.join(' · ');
}

/** One node's last object and what it showed; a node whose key is unchanged keeps its object. */
interface CacheEntry {
  key: readonly unknown[];
  node: RunFlowNode | RunLoopNode;
}
/**
 * Owned by one run graph (like the canvas's FlowCache, canvas/flow.ts): keeps node and edge objects
 * stable across state changes and clock ticks, so the memoised nodes re-render only when what they
 * show changed — a running node each second, the others when their state does.
 */
export interface RunFlowCache {
  nodes: Map<string, CacheEntry>;
  edges: Map<string, { from: GraphEdge; active: boolean; edge: Edge }>;
}
export const newRunFlowCache = (): RunFlowCache => ({ nodes: new Map(), edges: new Map() });

const sameKey = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

const DEFAULT_BOX: NodeBox = { x: 0, y: 0, width: 220, height: 60 };

export function runFlowNodes(
  graph: PipelineGraph,
  boxes: ReadonlyMap<string, NodeBox>,
  state: RunViewState,
  selected: string | undefined,
  now: number,
  cache: RunFlowCache = newRunFlowCache(),
): (RunFlowNode | RunLoopNode)[] {
  // Parents before children (React Flow needs a parent node earlier in the array).
  const ordered = [...graph.nodes].sort((a, b) => (a.parent === undefined ? 0 : 1) - (b.parent === undefined ? 0 : 1));
  const seen = new Set<string>();
  const nodes = ordered.map((n): RunFlowNode | RunLoopNode => {
    seen.add(n.id);
    const box = boxes.get(n.id) ?? DEFAULT_BOX;
    const view = nodeView(state, n.id);
    const isSelected = n.kind !== 'loop' && selected === n.id;
    // Only a running node's detail depends on the clock; the others' follows from the view's fields.
    const running = view.state === 'running';
    const detailNow = running ? taskDetail(view, now) : undefined;
    const { items } = view;
    const key = [
      n.kind,
      n.label,
      n.parent,
      n.component,
      n.componentSpec?.name,
      box.x,
      box.y,
      box.width,
      box.height,
      view.state,
      view.error,
      view.attempt,
      view.startedAt,
      view.finishedAt,
      view.cachedFrom,
      view.paths,
      items?.done,
      items?.total,
      items?.failed,
      isSelected,
      detailNow,
    ];
    const cached = cache.nodes.get(n.id);
    if (cached && sameKey(cached.key, key)) return cached.node;
    const node = buildNode(n, box, view, detailNow ?? taskDetail(view, now), isSelected);
    cache.nodes.set(n.id, { key, node });
    return node;
  });
  for (const id of cache.nodes.keys()) if (!seen.has(id)) cache.nodes.delete(id);
  return nodes;
}

function buildNode(n: GraphNode, box: NodeBox, view: TaskView, detail: string, selected: boolean): RunFlowNode | RunLoopNode {
  const common = {
    id: n.id,
    position: { x: box.x, y: box.y },
    ...(n.parent !== undefined ? { parentId: n.parent, extent: 'parent' as const } : {}),
    draggable: false,
    connectable: false,
  };
  if (n.kind === 'loop') {
    return { ...common, type: 'runLoop', data: { label: n.label, state: view.state, detail }, style: { width: box.width, height: box.height }, selectable: false };
  }
  return {
    ...common,
    type: 'runTask',
    data: {
      taskId: n.id,
      label: n.label,
      ...(n.component !== undefined ? { component: n.componentSpec?.name ?? n.component } : {}),
      state: view.state,
      detail,
      ...(view.error ? { error: view.error } : {}),
      selected,
    },
    selected,
    style: { width: box.width },
  };
}

export function runFlowEdges(graph: PipelineGraph, state: RunViewState, cache: RunFlowCache = newRunFlowCache()): Edge[] {
  const seen = new Set<string>();
  const edges = graph.edges.map((e) => {
    seen.add(e.id);
    const active = nodeView(state, e.source).state === 'running';
    const cached = cache.edges.get(e.id);
    if (cached && cached.from === e && cached.active === active) return cached.edge;
    const edge: Edge = {
      id: e.id,
      source: e.source,
      target: e.target,
      ...(e.sourcePort !== undefined && e.targetPort !== undefined ? { label: e.sourcePort === e.targetPort ? e.sourcePort : `${e.sourcePort} → ${e.targetPort}` } : {}),
      animated: active,
      className: `run-edge kind-${e.kind}`,
      ...(e.kind === 'after' || e.kind === 'condition' ? { style: { strokeDasharray: '5 4' } } : {}),
    };
    cache.edges.set(e.id, { from: e, active, edge });
    return edge;
  });
  for (const id of cache.edges.keys()) if (!seen.has(id)) cache.edges.delete(id);
  return edges;
}
