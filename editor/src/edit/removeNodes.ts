/**
 * Deleting tasks and loops (with their bodies). Inputs that read a deleted node lose their binding
 * (the validator then names every input left unbound), `after` entries, pipeline and loop outputs
 * that pointed at it go, collect bindings of a loop output that went go too, and components no task
 * uses any more leave `components`. A condition or loop items that read a deleted node refuse the
 * deletion: dropping them would change when or how often that node runs.
 */
import { indexPipeline, isLoopNode, type PipelineSpec } from 'sluice/ir';
import type { EditResult } from './connect';
import { mapNodeRefs, mapNodes, stuckReason, type NodeRef } from './nodeTree';

export function removeNodes(spec: PipelineSpec, ids: Iterable<string>): EditResult {
  const index = indexPipeline(spec);
  const removed = new Set<string>();
  for (const id of ids) if (index.nodes.has(id)) removed.add(id);
  if (removed.size === 0) return { ok: true, spec };
  // A loop takes its body with it.
  for (const info of index.nodes.values()) if (info.scope.some((s) => removed.has(s))) removed.add(info.id);
  // Outputs of surviving loops that read a removed body task go, and so do the collect bindings reading them.
  const goneOutputs = new Set<string>();
  for (const info of index.nodes.values()) {
    if (removed.has(info.id) || !isLoopNode(info.node)) continue;
    for (const [name, ref] of Object.entries(info.node.loop.outputs)) if (removed.has(ref.task)) goneOutputs.add(`${info.id}\n${name}`);
  }
  const keep = (ref: NodeRef): string | undefined => {
    if (ref.kind === 'pipelineInput') return ref.id;
    if (removed.has(ref.id) || (ref.kind === 'collect' && goneOutputs.has(`${ref.id}\n${ref.output}`))) return undefined;
    return ref.id;
  };

  let refusal: string | undefined;
  let next = mapNodes(spec, (id, node) => {
    if (removed.has(id)) return undefined;
    const r = mapNodeRefs(node, keep);
    const [stuck] = r.stuck;
    if (stuck && refusal === undefined) refusal = stuckReason(id, stuck);
    return r.node;
  });
  if (refusal !== undefined) return { ok: false, reason: refusal };
  const outputs = Object.fromEntries(Object.entries(next.outputs).filter(([, ref]) => !removed.has(ref.task)));
  if (Object.keys(outputs).length !== Object.keys(next.outputs).length) next = { ...next, outputs };
  return { ok: true, spec: dropUnusedComponents(next) };
}

/** Removes component specs that no task references. */
export function dropUnusedComponents(spec: PipelineSpec): PipelineSpec {
  const used = new Set<string>();
  for (const info of indexPipeline(spec).nodes.values()) if (!isLoopNode(info.node)) used.add(info.node.component);
  const unused = Object.keys(spec.components).filter((ref) => !used.has(ref));
  if (!unused.length) return spec;
  const components = Object.fromEntries(Object.entries(spec.components).filter(([ref]) => used.has(ref)));
  return { ...spec, components };
}
