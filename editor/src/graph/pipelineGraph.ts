/**
 * A pipeline IR seen as a drawable graph: one node per task or loop (loop bodies nested inside
 * their loop), one edge per data binding (output port → input port) or `after` ordering. Pure:
 * the canvas, the run view and the 500-node benchmark all draw from this, so they agree on what a
 * pipeline looks like. Ports carry their specs, so the canvas can show and check types.
 */
import { exprOperands, indexPipeline, isLoopNode, referencedNodes, taskOutputPort, taskOutputPorts, type Binding, type ComponentSpec, type NodeSpec, type PipelineSpec, type PortSpec } from 'sluice/ir';

export interface GraphPort {
  name: string;
  spec: PortSpec;
}

export interface GraphNode {
  /** The task or loop id (unique across all scopes of a pipeline). */
  id: string;
  kind: 'task' | 'loop';
  /** Enclosing loop, for loop body tasks. */
  parent?: string;
  label: string;
  /** Component reference (tasks only) and its spec when the IR has it. */
  component?: string;
  componentSpec?: ComponentSpec;
  inputs: GraphPort[];
  outputs: GraphPort[];
  /** A task's input bindings (what each input reads), for the labels beside its ports. */
  bindings?: Record<string, Binding>;
  /** Runs only under a condition (drawn with a badge; `ui.group` names the branch group). */
  conditional: boolean;
  group?: string;
  exitHandler: boolean;
  position?: { x: number; y: number };
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** Output port of the source / input port of the target; absent for `after` and loop edges. */
  sourcePort?: string;
  targetPort?: string;
  kind: 'data' | 'after' | 'items' | 'collect' | 'condition';
}

export interface PipelineGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

function ports(map: Record<string, PortSpec> | undefined): GraphPort[] {
  return Object.entries(map ?? {}).map(([name, spec]) => ({ name, spec }));
}

/** Which node a binding reads from, and through which output port. */
function bindingSources(binding: Binding): { node: string; port?: string; kind: GraphEdge['kind'] }[] {
  if ('task' in binding) return [{ node: binding.task, port: binding.output, kind: 'data' }];
  if ('collect' in binding) return [{ node: binding.collect.loop, port: binding.collect.output, kind: 'collect' }];
  if ('oneOf' in binding) return binding.oneOf.flatMap((b) => ('task' in b ? [{ node: b.task, port: b.output, kind: 'data' as const }] : []));
  return [];
}

export function pipelineGraph(spec: PipelineSpec): PipelineGraph {
  const index = indexPipeline(spec);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const edgeIds = new Set<string>();
  const addEdge = (e: Omit<GraphEdge, 'id'>): void => {
    const id = `${e.source}:${e.sourcePort ?? ''}->${e.target}:${e.targetPort ?? ''}:${e.kind}`;
    if (edgeIds.has(id) || !index.nodes.has(e.source)) return;
    edgeIds.add(id);
    edges.push({ id, ...e });
  };

  for (const info of index.nodes.values()) {
    const node: NodeSpec = info.node;
    const parent = info.scope[info.scope.length - 1];
    const ui = node.ui;
    const position = ui?.x !== undefined && ui.y !== undefined ? { x: ui.x, y: ui.y } : undefined;
    if (isLoopNode(node)) {
      nodes.push({
        id: info.id,
        kind: 'loop',
        ...(parent !== undefined ? { parent } : {}),
        label: ui?.label ?? info.id,
        inputs: [],
        outputs: Object.keys(node.loop.outputs).map((name) => ({ name, spec: loopOutputSpec(spec, node.loop.outputs[name]) })),
        conditional: node.when !== undefined,
        ...(ui?.group !== undefined ? { group: ui.group } : {}),
        exitHandler: false,
        ...(position ? { position } : {}),
      });
      const items = node.loop.items;
      for (const src of referencedNodes(items)) {
        addEdge({ source: src, ...('task' in items ? { sourcePort: items.output } : {}), target: info.id, targetPort: 'items', kind: 'items' });
      }
    } else {
      const componentSpec = spec.components[node.component];
      nodes.push({
        id: info.id,
        kind: 'task',
        ...(parent !== undefined ? { parent } : {}),
        label: ui?.label ?? info.id,
        component: node.component,
        ...(componentSpec ? { componentSpec } : {}),
        inputs: ports(componentSpec?.inputs),
        // A study (a task with `tune`) also shows its own outputs: bestParams, …, trialsDataset, best.<param>.
        outputs: ports(taskOutputPorts(node, componentSpec)),
        bindings: node.inputs,
        conditional: node.when !== undefined,
        ...(ui?.group !== undefined ? { group: ui.group } : {}),
        exitHandler: node.exitHandler === true,
        ...(position ? { position } : {}),
      });
      for (const [port, binding] of Object.entries(node.inputs)) {
        for (const src of bindingSources(binding)) {
          addEdge({ source: src.node, ...(src.port !== undefined ? { sourcePort: src.port } : {}), target: info.id, targetPort: port, kind: src.kind });
        }
      }
    }
    for (const dep of node.after ?? []) addEdge({ source: dep, target: info.id, kind: 'after' });
    // A condition that reads task outputs depends on those tasks.
    for (const operand of node.when ? exprOperands(node.when) : []) {
      for (const src of referencedNodes(operand)) addEdge({ source: src, target: info.id, kind: 'condition' });
    }
  }
  return { nodes, edges };
}

/** The spec of a loop output as seen from outside (a list of what the body task produces). */
export function loopOutputSpec(spec: PipelineSpec, ref: { task: string; output: string } | undefined): PortSpec {
  if (!ref) return { kind: 'parameter', type: 'list<json>' };
  const info = indexPipeline(spec).nodes.get(ref.task);
  const node = info?.node;
  const comp = node && !isLoopNode(node) ? spec.components[node.component] : undefined;
  const port = node && !isLoopNode(node) && comp ? taskOutputPort(node, comp, ref.output) : undefined;
  if (!port) return { kind: 'parameter', type: 'list<json>' };
  return port.kind === 'artifact' ? { ...port, list: true } : { ...port, type: `list<${port.type}>` };
}
