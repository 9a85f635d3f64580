/**
 * Deleting tasks and loops (with their bodies). Inputs that read a deleted node lose their binding
 * (the validator then names every input left unbound), pipeline and loop outputs that pointed at it
 * go, and components no task uses any more leave `components`.
 */
import { indexPipeline, isLoopNode, referencedNodes, type Binding, type NodeSpec, type PipelineSpec } from 'sluice/dsl';
import { mapNodes } from './nodeTree';

export function removeNodes(spec: PipelineSpec, ids: Iterable<string>): PipelineSpec {
  const index = indexPipeline(spec);
  const removed = new Set<string>();
  for (const id of ids) if (index.nodes.has(id)) removed.add(id);
  if (removed.size === 0) return spec;
  // A loop takes its body with it.
  for (const info of index.nodes.values()) if (info.scope.some((s) => removed.has(s))) removed.add(info.id);
  const reads = (b: Binding): boolean => referencedNodes(b).some((r) => removed.has(r));

  let next = mapNodes(spec, (id, node): NodeSpec | undefined => {
    if (removed.has(id)) return undefined;
    let out: NodeSpec = node;
    if (node.after?.some((a) => removed.has(a))) {
      const after = node.after.filter((a) => !removed.has(a));
      const { after: _after, ...rest } = out;
      out = after.length ? { ...rest, after } : rest;
    }
    if (isLoopNode(out)) {
      const outputs = Object.fromEntries(Object.entries(out.loop.outputs).filter(([, ref]) => !removed.has(ref.task)));
      if (Object.keys(outputs).length !== Object.keys(out.loop.outputs).length) out = { ...out, loop: { ...out.loop, outputs } };
    } else if (Object.values(out.inputs).some(reads)) {
      const inputs: Record<string, Binding> = {};
      for (const [port, b] of Object.entries(out.inputs)) {
        if (!reads(b)) inputs[port] = b;
        else if ('oneOf' in b) {
          const rest = b.oneOf.filter((x) => !('task' in x && removed.has(x.task)));
          const [only] = rest;
          if (rest.length >= 2) inputs[port] = { oneOf: rest };
          else if (only) inputs[port] = only;
        }
      }
      out = { ...out, inputs };
    }
    return out;
  });
  const outputs = Object.fromEntries(Object.entries(next.outputs).filter(([, ref]) => !removed.has(ref.task)));
  if (Object.keys(outputs).length !== Object.keys(next.outputs).length) next = { ...next, outputs };
  return dropUnusedComponents(next);
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
