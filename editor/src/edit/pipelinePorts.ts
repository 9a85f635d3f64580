/** The pipeline's own inputs (parameters a run is given) and outputs (task outputs it publishes). */
import { NAME_PATTERN, valueMismatch, type PipelineSpec, type PortSpec, type TaskOutputBinding } from 'sluice/ir';
import type { EditResult } from './connect';
import { mapNodeRefs, mapNodes, stuckReason } from './nodeTree';

function nameProblem(kind: string, name: string, taken: Record<string, unknown>, except?: string): string | undefined {
  if (!NAME_PATTERN.test(name)) return `"${name}" is not a valid ${kind} name: start with a letter; use letters, digits, "-" or "_" (max 63)`;
  if (name !== except && name in taken) return `the pipeline already has an ${kind} named "${name}"`;
  return undefined;
}

function portProblem(port: PortSpec): string | undefined {
  if (port.kind === 'parameter' && port.default !== undefined) {
    try {
      const why = valueMismatch(port.default, port.type);
      if (why) return `the default does not fit ${port.type}: ${why}`;
    } catch (e) {
      return (e as Error).message;
    }
  }
  return undefined;
}

export function addPipelineInput(spec: PipelineSpec, name: string, port: PortSpec): EditResult {
  const problem = nameProblem('input', name, spec.inputs) ?? portProblem(port);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, spec: { ...spec, inputs: { ...spec.inputs, [name]: port } } };
}

/** Replaces input `name` (and renames it to `port`'s new name when `newName` differs). */
export function updatePipelineInput(spec: PipelineSpec, name: string, port: PortSpec, newName: string = name): EditResult {
  if (!(name in spec.inputs)) return { ok: false, reason: `the pipeline has no input "${name}"` };
  const problem = nameProblem('input', newName, spec.inputs, name) ?? portProblem(port);
  if (problem) return { ok: false, reason: problem };
  const inputs: Record<string, PortSpec> = {};
  for (const [k, v] of Object.entries(spec.inputs)) inputs[k === name ? newName : k] = k === name ? port : v;
  const next: PipelineSpec = { ...spec, inputs };
  return newName === name ? { ok: true, spec: next } : rewritePipelineInputRefs(next, name, newName);
}

/**
 * Removes input `name`; task inputs bound to it become unbound (oneOf branches that read it go). A
 * condition or loop items that read it refuse the removal.
 */
export function removePipelineInput(spec: PipelineSpec, name: string): EditResult {
  if (!(name in spec.inputs)) return { ok: true, spec };
  const { [name]: _removed, ...inputs } = spec.inputs;
  return rewritePipelineInputRefs({ ...spec, inputs }, name, undefined);
}

/** Renames (or, with `to` undefined, drops) every reference to pipeline input `from`. */
function rewritePipelineInputRefs(spec: PipelineSpec, from: string, to: string | undefined): EditResult {
  let refusal: string | undefined;
  const next = mapNodes(spec, (id, node) => {
    const r = mapNodeRefs(node, (ref) => (ref.kind === 'pipelineInput' && ref.id === from ? to : ref.id));
    const [stuck] = r.stuck;
    if (stuck && refusal === undefined) refusal = stuckReason(id, stuck);
    return r.node;
  });
  return refusal !== undefined ? { ok: false, reason: refusal } : { ok: true, spec: next };
}

/** Publishes a task output as pipeline output `name` (undefined removes it). */
export function setPipelineOutput(spec: PipelineSpec, name: string, ref: TaskOutputBinding | undefined): EditResult {
  if (ref === undefined) {
    const { [name]: _removed, ...outputs } = spec.outputs;
    return { ok: true, spec: { ...spec, outputs } };
  }
  if (!NAME_PATTERN.test(name)) return { ok: false, reason: `"${name}" is not a valid output name: start with a letter; use letters, digits, "-" or "_" (max 63)` };
  return { ok: true, spec: { ...spec, outputs: { ...spec.outputs, [name]: ref } } };
}

/** Renames pipeline output `from` to `to`, keeping its place in the order. */
export function renamePipelineOutput(spec: PipelineSpec, from: string, to: string): EditResult {
  const ref = spec.outputs[from];
  if (!ref) return { ok: false, reason: `the pipeline has no output "${from}"` };
  const problem = nameProblem('output', to, spec.outputs, from);
  if (problem) return { ok: false, reason: problem };
  const outputs: Record<string, TaskOutputBinding> = {};
  for (const [k, v] of Object.entries(spec.outputs)) outputs[k === from ? to : k] = v;
  return { ok: true, spec: { ...spec, outputs } };
}
