/** Editor-only node fields (`ui`: position, label, collapsed): never part of the digest. */
import type { NodeSpec, PipelineSpec } from 'sluice/ir';
import { mapNodes } from './nodeTree';

type Ui = NonNullable<NodeSpec['ui']>;

function withUi(node: NodeSpec, patch: Partial<Ui>): NodeSpec {
  const ui: Ui = { ...node.ui };
  for (const [k, v] of Object.entries(patch) as [keyof Ui, Ui[keyof Ui]][]) {
    if (v === undefined) delete ui[k];
    else (ui as Record<string, unknown>)[k] = v;
  }
  const same = Object.keys(ui).length === Object.keys(node.ui ?? {}).length && Object.entries(ui).every(([k, v]) => node.ui?.[k as keyof Ui] === v);
  if (same) return node;
  if (Object.keys(ui).length === 0) {
    const { ui: _ui, ...rest } = node;
    return rest;
  }
  return { ...node, ui };
}

/** Moves nodes (positions relative to their loop for loop bodies), rounded to whole pixels. */
export function moveNodes(spec: PipelineSpec, positions: ReadonlyMap<string, { x: number; y: number }> | Record<string, { x: number; y: number }>): PipelineSpec {
  const map: ReadonlyMap<string, { x: number; y: number }> = positions instanceof Map ? positions : new Map(Object.entries(positions as Record<string, { x: number; y: number }>));
  if (map.size === 0) return spec;
  return mapNodes(spec, (id, node) => {
    const p = map.get(id);
    return p ? withUi(node, { x: Math.round(p.x), y: Math.round(p.y) }) : node;
  });
}

export function setNodeUi(spec: PipelineSpec, id: string, patch: Partial<Ui>): PipelineSpec {
  return mapNodes(spec, (nid, node) => (nid === id ? withUi(node, patch) : node));
}

/** Collapses or expands a condition group: every node of `scope` whose `ui.group` is `group`. */
export function setGroupCollapsed(spec: PipelineSpec, scopeParent: string | undefined, group: string, collapsed: boolean): PipelineSpec {
  return mapNodes(spec, (_id, node, scope) =>
    node.ui?.group === group && scope[scope.length - 1] === scopeParent ? withUi(node, { collapsed: collapsed ? true : undefined }) : node,
  );
}
