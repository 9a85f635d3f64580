/**
 * Auto-layout with elkjs (layered, left to right, ports on fixed sides: inputs west, outputs
 * east), for the canvas's "Arrange" and for pipelines without stored positions. Loop bodies are
 * laid out inside their loop node. Returns positions relative to the parent (what React Flow
 * expects for child nodes) and the sizes of loop nodes.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk.bundled.js';
import { loadElk } from './elk';
import type { GraphNode, PipelineGraph } from '../graph/pipelineGraph';

import { graphNodeSize, NODE_WIDTH } from './nodeSize';

export { NODE_WIDTH } from './nodeSize';

/** Height of a task node: a header and its port rows (nodeSize.ts). */
export function nodeHeight(node: GraphNode): number {
  return graphNodeSize(node).height;
}

export interface NodeBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

const LAYOUT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.layered.spacing.nodeNodeBetweenLayers': '60',
  'elk.spacing.nodeNode': '28',
  'elk.portConstraints': 'FIXED_SIDE',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.padding': '[top=44,left=16,bottom=16,right=16]',
};

export async function layoutGraph(graph: PipelineGraph): Promise<Map<string, NodeBox>> {
  const elkNodes = new Map<string, ElkNode>();
  for (const node of graph.nodes) {
    const ports = [
      ...node.inputs.map((p) => ({ id: `${node.id}::in::${p.name}`, layoutOptions: { 'elk.port.side': 'WEST' } })),
      ...node.outputs.map((p) => ({ id: `${node.id}::out::${p.name}`, layoutOptions: { 'elk.port.side': 'EAST' } })),
    ];
    elkNodes.set(node.id, {
      id: node.id,
      ports,
      ...(node.kind === 'loop' ? { children: [], layoutOptions: LAYOUT_OPTIONS } : (({ width, height }) => ({ width, height }))(graphNodeSize(node))),
    });
  }
  const root: ElkNode = { id: '__root__', layoutOptions: LAYOUT_OPTIONS, children: [], edges: [] };
  for (const node of graph.nodes) {
    const elkNode = elkNodes.get(node.id);
    if (!elkNode) continue;
    const parent = node.parent !== undefined ? elkNodes.get(node.parent) : undefined;
    (parent?.children ?? root.children ?? []).push(elkNode);
  }
  const portIds = new Set(graph.nodes.flatMap((n) => [...n.inputs.map((p) => `${n.id}::in::${p.name}`), ...n.outputs.map((p) => `${n.id}::out::${p.name}`)]));
  const edges: ElkExtendedEdge[] = graph.edges.map((e) => {
    const from = e.sourcePort !== undefined ? `${e.source}::out::${e.sourcePort}` : e.source;
    const to = e.targetPort !== undefined ? `${e.target}::in::${e.targetPort}` : e.target;
    return { id: e.id, sources: [portIds.has(from) ? from : e.source], targets: [portIds.has(to) ? to : e.target] };
  });
  root.edges = edges;
  const laid = await (await loadElk()).layout(root);
  const boxes = new Map<string, NodeBox>();
  const collect = (n: ElkNode): void => {
    for (const child of n.children ?? []) {
      boxes.set(child.id, { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? NODE_WIDTH, height: child.height ?? 60 });
      collect(child);
    }
  };
  collect(laid);
  return boxes;
}
