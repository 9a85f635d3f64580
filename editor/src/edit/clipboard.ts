/**
 * Copy and paste of nodes as a self-contained fragment (nodes + the components they use). Pasting
 * gives every node (loop bodies included) a fresh id and rewrites references inside the fragment;
 * references to nodes outside it are kept when the pasted node can still see them, else dropped.
 */
import { indexPipeline, isLoopNode, referencedNodes, type Binding, type ComponentSpec, type NodeSpec, type PipelineSpec } from 'sluice/dsl';
import { componentRef } from './addTask';
import { insertNode, renameRefsInNode, uniqueId } from './nodeTree';

export interface Fragment {
  kind: 'sluice/fragment';
  nodes: Record<string, NodeSpec>;
  components: Record<string, ComponentSpec>;
}

export function isFragment(value: unknown): value is Fragment {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sluice/fragment';
}

/** The selected nodes (a loop brings its body; a body task whose loop is selected comes with it). */
export function copyNodes(spec: PipelineSpec, ids: Iterable<string>): Fragment {
  const index = indexPipeline(spec);
  const selected = new Set([...ids].filter((id) => index.nodes.has(id)));
  const nodes: Record<string, NodeSpec> = {};
  const components: Record<string, ComponentSpec> = {};
  const addComponents = (node: NodeSpec): void => {
    if (isLoopNode(node)) for (const inner of Object.values(node.loop.tasks)) addComponents(inner);
    else {
      const c = spec.components[node.component];
      if (c) components[node.component] = c;
    }
  };
  for (const id of selected) {
    const info = index.nodes.get(id);
    if (!info || info.scope.some((s) => selected.has(s))) continue;
    nodes[id] = info.node;
    addComponents(info.node);
  }
  return { kind: 'sluice/fragment', nodes, components };
}

function collectIds(tasks: Record<string, NodeSpec>, out: string[] = []): string[] {
  for (const [id, node] of Object.entries(tasks)) {
    out.push(id);
    if (isLoopNode(node)) collectIds(node.loop.tasks, out);
  }
  return out;
}

export interface PasteOptions {
  /** Added to the pasted top-level nodes' positions. */
  offset: { x: number; y: number };
  /** Paste into this loop's body instead of the top level. */
  parent?: string;
}

export function pasteFragment(spec: PipelineSpec, fragment: Fragment, options: PasteOptions): { spec: PipelineSpec; ids: string[] } {
  let next = spec;
  // Components: reuse identical ones, add the others under a free ref.
  const refMap = new Map<string, string>();
  for (const [ref, component] of Object.entries(fragment.components)) {
    const r = componentRef(next, component);
    next = r.spec;
    refMap.set(ref, r.ref);
  }
  const index = indexPipeline(next);
  const taken = new Set(index.nodes.keys());
  const idMap = new Map<string, string>();
  for (const old of collectIds(fragment.nodes)) {
    const id = uniqueId(old, taken);
    taken.add(id);
    idMap.set(old, id);
  }
  // What the pasted top-level nodes may read: nodes of the paste scope and enclosing ones.
  const parentScope = options.parent !== undefined ? [...(index.nodes.get(options.parent)?.scope ?? []), options.parent] : [];
  const visible = (id: string): boolean => {
    const info = index.nodes.get(id);
    return info !== undefined && info.scope.every((s, i) => parentScope[i] === s) && info.scope.length <= parentScope.length;
  };
  const pastedIds = new Set(idMap.values());
  // Runs on renamed bindings: references are new ids (inside the fragment) or outer ones.
  const keep = (b: Binding): boolean =>
    referencedNodes(b).every((r) => pastedIds.has(r) || visible(r)) && !('loopItem' in b && !pastedIds.has(b.loopItem) && !parentScope.includes(b.loopItem));
  const clean = (node: NodeSpec): NodeSpec => {
    let out = renameRefsInNode(node, (id) => idMap.get(id) ?? id);
    if (out.after) {
      const after = out.after.filter((a) => pastedIds.has(a) || visible(a));
      const { after: _a, ...rest } = out;
      out = after.length ? { ...rest, after } : rest;
    }
    if (isLoopNode(out)) return out;
    const inputs = Object.fromEntries(Object.entries(out.inputs).filter(([, b]) => keep(b)));
    return { ...out, component: refMap.get(out.component) ?? out.component, inputs };
  };
  const rekey = (tasks: Record<string, NodeSpec>): Record<string, NodeSpec> => {
    const out: Record<string, NodeSpec> = {};
    for (const [id, node] of Object.entries(tasks)) {
      const cleaned = clean(node);
      out[idMap.get(id) ?? id] = isLoopNode(cleaned) ? { ...cleaned, loop: { ...cleaned.loop, tasks: rekey(cleaned.loop.tasks) } } : cleaned;
    }
    return out;
  };
  const pasted = rekey(fragment.nodes);
  const ids: string[] = [];
  for (const [id, node] of Object.entries(pasted)) {
    const ui = { ...node.ui, x: Math.round((node.ui?.x ?? 0) + options.offset.x), y: Math.round((node.ui?.y ?? 0) + options.offset.y) };
    next = insertNode(next, id, { ...node, ui }, options.parent);
    ids.push(id);
  }
  return { spec: next, ids };
}
