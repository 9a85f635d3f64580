/**
 * Left-to-right layout of the lineage view (elkjs, layered): upstream on the left, downstream on the
 * right, as the edges point. Separate from layout/layoutGraph.ts, which lays out typed ports.
 */
import type { ElkNode } from 'elkjs/lib/elk.bundled.js';
import { loadElk } from '../layout/elk';
import type { ViewEdge, ViewNode } from './graph';

export const LINEAGE_NODE_WIDTH = 210;
export const LINEAGE_NODE_HEIGHT = 60;

export async function layoutLineage(nodes: readonly ViewNode[], edges: readonly ViewEdge[]): Promise<Map<string, { x: number; y: number }>> {
  const ids = new Set(nodes.map((n) => n.id));
  const root: ElkNode = {
    id: '__lineage__',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '24',
      // Keeps a graph that grows by one hop from jumping around more than it must.
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children: nodes.map((n) => ({ id: n.id, width: LINEAGE_NODE_WIDTH, height: LINEAGE_NODE_HEIGHT })),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const laid = await (await loadElk()).layout(root);
  const out = new Map<string, { x: number; y: number }>();
  for (const child of laid.children ?? []) out.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return out;
}
