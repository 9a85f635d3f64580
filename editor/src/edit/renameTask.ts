/** Renaming a task or loop: its key and every reference to it (bindings, after, conditions, outputs). */
import { indexPipeline, NAME_PATTERN, type NodeSpec, type PipelineSpec } from 'sluice/ir';
import type { EditResult } from './connect';
import { renameRefsInNode } from './nodeTree';

export function renameTask(spec: PipelineSpec, from: string, to: string): EditResult {
  const index = indexPipeline(spec);
  if (!index.nodes.has(from)) return { ok: false, reason: `there is no task "${from}"` };
  if (from === to) return { ok: true, spec };
  if (!NAME_PATTERN.test(to)) return { ok: false, reason: `"${to}" is not a valid id: start with a letter; use letters, digits, "-" or "_" (max 63)` };
  if (index.nodes.has(to)) return { ok: false, reason: `the id "${to}" is taken; ids are unique across the whole pipeline, loop bodies included` };
  return { ok: true, spec: renameNodes(spec, new Map([[from, to]])) };
}

/** Applies an id mapping to keys and references throughout the pipeline. */
export function renameNodes(spec: PipelineSpec, mapping: ReadonlyMap<string, string>): PipelineSpec {
  const rename = (id: string): string => mapping.get(id) ?? id;
  const rekey = (tasks: Record<string, NodeSpec>): Record<string, NodeSpec> => {
    const out: Record<string, NodeSpec> = {};
    for (const [id, node] of Object.entries(tasks)) {
      const renamed = renameRefsInNode(node, rename);
      out[rename(id)] = 'loop' in renamed ? { ...renamed, loop: { ...renamed.loop, tasks: rekey(renamed.loop.tasks) } } : renamed;
    }
    return out;
  };
  const outputs = Object.fromEntries(Object.entries(spec.outputs).map(([name, ref]) => [name, mapping.has(ref.task) ? { ...ref, task: rename(ref.task) } : ref]));
  const tasks = rekey(spec.dag.tasks);
  return { ...spec, outputs, dag: { ...spec.dag, tasks } };
}
