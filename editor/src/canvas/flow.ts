/**
 * IR → React Flow nodes and edges, for the editor canvas and the run view. Pure apart from the
 * cache the caller owns: a node whose IR, component, issues and run state are unchanged keeps its
 * previous object, so React Flow re-renders only the nodes an edit touched (a 500-node pipeline
 * stays smooth). Loop bodies are child nodes of their loop (positions relative to it); condition
 * groups (`ui.group`) are boxes drawn behind their members; collapsed loops and groups hide their
 * members and take over their edges.
 */
import { indexPipeline, isLoopNode, isRequired, type Binding, type ComponentSpec, type NodeSpec, type PipelineSpec, type SearchSpace } from 'sluice/ir';
import type { EdgeRef } from '../edit/bindings';
import { portTypeLabel } from '../edit/ports';
import { searchText, studyBadge, studySummary } from '../edit/tune';
import { pipelineGraph, type GraphNode, type GraphPort } from '../graph/pipelineGraph';
import { NODE_WIDTH } from '../layout/layoutGraph';
import { bindingText, graphNodeSize } from '../layout/nodeSize';

export { bindingText } from '../layout/nodeSize';
import {
  COLLAPSED_IN,
  COLLAPSED_OUT,
  type ConditionGroupFlowNode,
  type FlowEdge,
  type FlowNode,
  type LoopFlowNode,
  type PortView,
  type RunState,
  type TaskFlowNode,
} from './types';

export interface FlowOptions {
  /** Validation problems per node id (editor). */
  issues?: ReadonlyMap<string, number>;
  /** Run state per node id (run view). */
  states?: ReadonlyMap<string, { state: RunState; detail?: string }>;
}

interface CacheEntry {
  key: readonly unknown[];
  node: FlowNode;
}
/** Owned by one canvas; keeps node objects stable across rebuilds. */
export type FlowCache = Map<string, CacheEntry>;

const LOOP_PAD = 16;
const LOOP_HEADER = 44;
const GROUP_PAD = 12;
const GROUP_HEADER = 24;
const COLLAPSED_HEIGHT = 60;

function portViews(ports: GraphPort[], bindings?: Record<string, Binding>, space?: SearchSpace): PortView[] {
  return ports.map(({ name, spec }) => {
    const binding = bindings?.[name];
    // A study's searched input gets its value per trial: it shows its distribution, never "missing".
    const searched = space && Object.hasOwn(space, name) ? space[name] : undefined;
    if (searched) return { name, kind: spec.kind, type: portTypeLabel(spec), binding: searchText(searched), ...(spec.description !== undefined ? { description: spec.description } : {}) };
    const text = bindingText(binding);
    const view: PortView = { name, kind: spec.kind, type: portTypeLabel(spec) };
    if (spec.description !== undefined) view.description = spec.description;
    if (text !== undefined) view.binding = text;
    if (bindings && !binding && isRequired(spec)) view.missing = true;
    return view;
  });
}

function itemsText(node: NodeSpec): string {
  if (!isLoopNode(node)) return '';
  const items = node.loop.items;
  if ('const' in items) return Array.isArray(items.const) ? `${items.const.length} items` : 'a value';
  if ('pipelineInput' in items) return `input ${items.pipelineInput}`;
  if ('task' in items) return `${items.task}.${items.output}`;
  return `item${items.field !== undefined ? `.${items.field}` : ''}`;
}

const sameKey = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

export interface BuiltFlow {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/**
 * Builds the flow. `previous` (the canvas's current nodes) lends selection and measured sizes to
 * rebuilt nodes; unchanged nodes come back as the very same objects.
 */
export function buildFlow(spec: PipelineSpec, cache: FlowCache, previous: readonly FlowNode[] = [], options: FlowOptions = {}): BuiltFlow {
  const index = indexPipeline(spec);
  const graph = pipelineGraph(spec);
  const graphNodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const prevById = new Map(previous.map((n) => [n.id, n]));
  const sizes = new Map<string, { width: number; height: number }>();
  const groupKey = (scope: string | undefined, group: string): string => `group:${scope ?? ''}:${group}`;

  // Which groups are collapsed: a group is collapsed when its members say so (ui.collapsed).
  const collapsedGroups = new Set<string>();
  for (const info of index.nodes.values()) {
    const g = info.node.ui?.group;
    if (g !== undefined && info.node.ui?.collapsed === true) collapsedGroups.add(groupKey(info.scope[info.scope.length - 1], g));
  }
  const isCollapsedLoop = (id: string): boolean => {
    const n = index.nodes.get(id)?.node;
    return n !== undefined && isLoopNode(n) && n.ui?.collapsed === true;
  };
  /** The visible node that stands for `id` (itself, or the collapsed loop/group hiding it). */
  const representative = (id: string): string => {
    const info = index.nodes.get(id);
    if (!info) return id;
    const chain = [...info.scope, id];
    for (let i = 0; i < chain.length; i++) {
      const cid = chain[i] as string;
      const cnode = index.nodes.get(cid)?.node;
      const g = cnode?.ui?.group;
      if (g !== undefined) {
        const key = groupKey(i === 0 ? undefined : chain[i - 1], g);
        if (collapsedGroups.has(key)) return key;
      }
      if (i < chain.length - 1 && isCollapsedLoop(cid)) return cid;
    }
    return id;
  };

  const sizeOf = (id: string, node: NodeSpec): { width: number; height: number } => {
    const known = sizes.get(id);
    if (known) return known;
    const gn = graphNodes.get(id) as GraphNode;
    let size: { width: number; height: number };
    if (!isLoopNode(node) || node.ui?.collapsed === true) {
      size = (({ width, height }) => ({ width, height }))(graphNodeSize(gn));
    } else {
      let w = 260;
      let h = 120;
      for (const [cid, child] of Object.entries(node.loop.tasks)) {
        const s = sizeOf(cid, child);
        w = Math.max(w, (child.ui?.x ?? 0) + s.width + LOOP_PAD);
        h = Math.max(h, (child.ui?.y ?? LOOP_HEADER) + s.height + LOOP_PAD);
      }
      size = { width: Math.round(w), height: Math.round(h) };
    }
    sizes.set(id, size);
    return size;
  };

  const out: FlowNode[] = [];
  const reuse = (id: string, key: readonly unknown[], make: () => FlowNode): void => {
    const prev = prevById.get(id);
    const cached = cache.get(id);
    if (cached && sameKey(cached.key, key)) {
      // Same IR: keep what the canvas has now (it may carry selection and measurements).
      out.push(prev && prev.type === cached.node.type ? prev : cached.node);
      return;
    }
    const node = make();
    if (prev?.selected) node.selected = true;
    if (prev?.measured && !key.includes('size-changed')) node.measured = prev.measured;
    cache.set(id, { key, node });
    out.push(node);
  };

  const emitScope = (tasks: Record<string, NodeSpec>, parent: string | undefined, hiddenScope: boolean): void => {
    // Condition groups of this scope first: they are drawn behind their members.
    const groups = new Map<string, string[]>();
    for (const [id, node] of Object.entries(tasks)) {
      const g = node.ui?.group;
      if (g !== undefined) groups.set(g, [...(groups.get(g) ?? []), id]);
    }
    for (const [group, members] of groups) {
      const id = groupKey(parent, group);
      const collapsed = collapsedGroups.has(id);
      let x0 = Infinity;
      let y0 = Infinity;
      let x1 = -Infinity;
      let y1 = -Infinity;
      for (const m of members) {
        const node = tasks[m] as NodeSpec;
        const s = sizeOf(m, node);
        const x = node.ui?.x ?? 0;
        const y = node.ui?.y ?? 0;
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + s.width);
        y1 = Math.max(y1, y + s.height);
      }
      const position = { x: x0 - GROUP_PAD, y: y0 - GROUP_PAD - GROUP_HEADER };
      const width = collapsed ? NODE_WIDTH : x1 - x0 + 2 * GROUP_PAD;
      const height = collapsed ? COLLAPSED_HEIGHT : y1 - y0 + 2 * GROUP_PAD + GROUP_HEADER;
      reuse(id, [position.x, position.y, width, height, collapsed, hiddenScope, members.length, 'size-changed'], () => {
        const n: ConditionGroupFlowNode = {
          id,
          type: 'conditionGroup',
          position,
          width,
          height,
          data: { group, ...(parent !== undefined ? { scope: parent } : {}), collapsed, memberCount: members.length },
          selectable: false,
          draggable: false,
          connectable: false,
          zIndex: -1,
          hidden: hiddenScope,
          ...(parent !== undefined ? { parentId: parent } : {}),
        };
        return n;
      });
    }
    for (const [id, node] of Object.entries(tasks)) {
      const gn = graphNodes.get(id);
      if (!gn) continue;
      const g = node.ui?.group;
      const hidden = hiddenScope || (g !== undefined && collapsedGroups.has(groupKey(parent, g)));
      const issues = options.issues?.get(id) ?? 0;
      const run = options.states?.get(id);
      const position = { x: node.ui?.x ?? 0, y: node.ui?.y ?? 0 };
      if (isLoopNode(node)) {
        const collapsed = node.ui?.collapsed === true;
        const size = sizeOf(id, node);
        reuse(id, [node, hidden, issues, run?.state, run?.detail, size.width, size.height, parent, 'size-changed'], () => {
          const n: LoopFlowNode = {
            id,
            type: 'loop',
            position,
            width: size.width,
            height: size.height,
            hidden,
            data: {
              label: gn.label,
              items: itemsText(node),
              outputs: portViews(gn.outputs),
              conditional: gn.conditional,
              collapsed,
              bodyCount: Object.keys(node.loop.tasks).length,
              ...(issues ? { issues } : {}),
              ...(run ? { state: run.state, ...(run.detail !== undefined ? { detail: run.detail } : {}) } : {}),
            },
            ...(parent !== undefined ? { parentId: parent } : {}),
          };
          return n;
        });
        emitScope(node.loop.tasks, id, hidden || collapsed);
      } else {
        const comp: ComponentSpec | undefined = spec.components[node.component];
        reuse(id, [node, comp, hidden, issues, run?.state, run?.detail, parent], () => {
          const n: TaskFlowNode = {
            id,
            type: 'task',
            position,
            hidden,
            data: {
              label: gn.label,
              ...(node.component !== gn.label ? { component: node.component } : {}),
              inputs: portViews(gn.inputs, node.inputs, node.tune?.space),
              outputs: portViews(gn.outputs),
              conditional: gn.conditional,
              exitHandler: gn.exitHandler,
              ...(node.tune ? { study: { badge: studyBadge(node.tune), summary: studySummary(node.tune) } } : {}),
              ...(issues ? { issues } : {}),
              ...(run ? { state: run.state, ...(run.detail !== undefined ? { detail: run.detail } : {}) } : {}),
            },
            ...(parent !== undefined ? { parentId: parent } : {}),
          };
          return n;
        });
      }
    }
  };
  emitScope(spec.dag.tasks, undefined, false);
  const present = new Set(out.map((n) => n.id));
  for (const id of [...cache.keys()]) if (!present.has(id)) cache.delete(id);

  const edges: FlowEdge[] = [];
  const seen = new Set<string>();
  for (const e of graph.edges) {
    const source = representative(e.source);
    const target = representative(e.target);
    if (source === target) continue;
    const rerouted = source !== e.source || target !== e.target;
    const id = rerouted ? `${source}->${target}:${e.kind}` : e.id;
    if (seen.has(id)) continue;
    seen.add(id);
    const ref: EdgeRef = { source: e.source, target: e.target, kind: e.kind, ...(e.sourcePort !== undefined ? { sourcePort: e.sourcePort } : {}), ...(e.targetPort !== undefined ? { targetPort: e.targetPort } : {}) };
    const sourceHandle = source !== e.source || e.sourcePort === undefined ? COLLAPSED_OUT : e.sourcePort;
    const targetHandle = target !== e.target || e.targetPort === undefined ? COLLAPSED_IN : e.targetPort;
    edges.push({
      id,
      source,
      target,
      sourceHandle,
      targetHandle,
      className: `edge-${e.kind}`,
      data: { ref },
      ...(e.kind === 'data' || e.kind === 'collect' ? {} : { selectable: e.kind === 'after' }),
    });
  }
  return { nodes: out, edges };
}
