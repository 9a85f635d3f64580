/**
 * Copy and paste of nodes as a self-contained fragment (nodes + the components they use). Pasting
 * gives every node (loop bodies included) a fresh id and rewrites references inside the fragment;
 * references to nodes outside it are kept when the pasted node can still see them, else dropped (a
 * condition or loop items that would lose their source refuse the paste).
 */
import { indexPipeline, isLoopNode, type ComponentSpec, type NodeSpec, type PipelineSpec } from 'sluice/ir';
import { componentRef } from './addTask';
import { insertNode, mapNodeRefs, stuckReason, uniqueId, type NodeRef } from './nodeTree';

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

export type PasteResult = { ok: true; spec: PipelineSpec; ids: string[] } | { ok: false; reason: string };

export function pasteFragment(spec: PipelineSpec, fragment: Fragment, options: PasteOptions): PasteResult {
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
  // What the pasted nodes may read from outside the fragment: nodes of the paste scope and enclosing
  // ones (`after`: the paste scope only), the items of enclosing loops, the pipeline's inputs.
  const parentScope = options.parent !== undefined ? [...(index.nodes.get(options.parent)?.scope ?? []), options.parent] : [];
  const visible = (id: string): boolean => {
    const info = index.nodes.get(id);
    return info !== undefined && info.scope.length <= parentScope.length && info.scope.every((s, i) => parentScope[i] === s) && !parentScope.includes(id);
  };
  const sibling = (id: string): boolean => visible(id) && index.nodes.get(id)?.scope.length === parentScope.length;
  // Decided on the original ids, before renaming: an outer reference that happens to equal a new
  // id must not turn into a reference to the pasted copy.
  const outer = (ref: NodeRef): string | undefined => {
    const fresh = ref.kind === 'pipelineInput' ? undefined : idMap.get(ref.id);
    if (fresh !== undefined) return fresh;
    switch (ref.kind) {
      case 'pipelineInput':
        return ref.id in next.inputs ? ref.id : undefined;
      case 'loopItem':
        return parentScope.includes(ref.id) ? ref.id : undefined;
      case 'after':
        return sibling(ref.id) ? ref.id : undefined;
      case 'task':
      case 'collect':
        return visible(ref.id) ? ref.id : undefined;
    }
  };
  let refusal: string | undefined;
  const clean = (id: string, node: NodeSpec): NodeSpec => {
    const r = mapNodeRefs(node, outer);
    const [stuck] = r.stuck;
    if (stuck && refusal === undefined) refusal = `cannot paste here: ${stuckReason(id, stuck)} (copy it along, or paste where it is visible)`;
    return isLoopNode(r.node) ? r.node : { ...r.node, component: refMap.get(r.node.component) ?? r.node.component };
  };
  const rekey = (tasks: Record<string, NodeSpec>): Record<string, NodeSpec> => {
    const out: Record<string, NodeSpec> = {};
    for (const [id, node] of Object.entries(tasks)) {
      const cleaned = clean(id, node);
      out[idMap.get(id) ?? id] = isLoopNode(cleaned) ? { ...cleaned, loop: { ...cleaned.loop, tasks: rekey(cleaned.loop.tasks) } } : cleaned;
    }
    return out;
  };
  const pasted = rekey(fragment.nodes);
  if (refusal !== undefined) return { ok: false, reason: refusal };
  const ids: string[] = [];
  for (const [id, node] of Object.entries(pasted)) {
    const ui = { ...node.ui, x: Math.round((node.ui?.x ?? 0) + options.offset.x), y: Math.round((node.ui?.y ?? 0) + options.offset.y) };
    next = insertNode(next, id, { ...node, ui }, options.parent);
    ids.push(id);
  }
  return { ok: true, spec: next, ids };
}
