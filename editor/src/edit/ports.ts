/**
 * The typed ports of a node as the canvas shows them: task inputs/outputs from the component spec
 * (a study's own outputs too, from dsl/ir's taskOutputPort), a loop's collected outputs (lists of what its body produces) and its `items` input.
 */
import { isLoopNode, isRequired, taskOutputPort, type PipelineIndex, type PipelineSpec, type PortSpec } from 'sluice/ir';
import { loopOutputSpec } from '../graph/pipelineGraph';

/** Handle id of a loop's items input on the canvas. */
export const LOOP_ITEMS_PORT = 'items';
/** What a loop's `items` accepts: any list parameter. */
export const LOOP_ITEMS_SPEC: PortSpec = { kind: 'parameter', type: 'list<json>' };

export function outputPort(spec: PipelineSpec, index: PipelineIndex, nodeId: string, port: string): PortSpec | undefined {
  const node = index.nodes.get(nodeId)?.node;
  if (!node) return undefined;
  if (isLoopNode(node)) {
    const ref = node.loop.outputs[port];
    return ref ? loopOutputSpec(spec, ref) : undefined;
  }
  const comp = spec.components[node.component];
  // A study's own outputs (bestValue, trialsDataset, best.<param>, …) are wired like any output.
  return comp ? taskOutputPort(node, comp, port) : undefined;
}

export function inputPort(spec: PipelineSpec, index: PipelineIndex, nodeId: string, port: string): PortSpec | undefined {
  const node = index.nodes.get(nodeId)?.node;
  if (!node) return undefined;
  if (isLoopNode(node)) return port === LOOP_ITEMS_PORT ? LOOP_ITEMS_SPEC : undefined;
  return spec.components[node.component]?.inputs[port];
}

/** "Dataset", "list<int>", "Model[]": a port type as the canvas labels it. */
export function portTypeLabel(port: PortSpec): string {
  return port.kind === 'artifact' && port.list === true ? `${port.type}[]` : port.type;
}

/** "name: Type" per port, optional ones marked "?": what a signature lists. */
const portSignature = (ports: Record<string, PortSpec>): string =>
  Object.entries(ports)
    .map(([name, p]) => `${name}${isRequired(p) ? '' : '?'}: ${portTypeLabel(p)}`)
    .join(', ');

/** A component as a signature: "train-classifier(train: Dataset, epochs?: int) → model: Model, finalLoss: float". */
export function componentSignature(name: string, inputs: Record<string, PortSpec>, outputs: Record<string, PortSpec>): string {
  const out = portSignature(outputs);
  return `${name}(${portSignature(inputs)}) → ${out || 'nothing'}`;
}
