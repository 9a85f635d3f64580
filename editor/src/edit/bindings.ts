/** Setting and clearing what a task input reads (a value, a pipeline input, another task's output). */
import { isLoopNode, type Binding, type PipelineSpec } from 'sluice/ir';
import type { EditResult } from './connect';
import { equalJson } from './equalJson';
import { updateNode } from './nodeTree';

/**
 * Binds (or, with undefined, unbinds) input `port` of task `taskId`. A binding equal to the current
 * one returns the same spec, so a field that commits an unchanged value makes no undo step.
 */
export function setInput(spec: PipelineSpec, taskId: string, port: string, binding: Binding | undefined): PipelineSpec {
  return updateNode(spec, taskId, (node) => {
    if (isLoopNode(node) || equalJson(node.inputs[port], binding)) return node;
    if (binding === undefined) {
      if (!(port in node.inputs)) return node;
      const { [port]: _removed, ...inputs } = node.inputs;
      return { ...node, inputs };
    }
    return { ...node, inputs: { ...node.inputs, [port]: binding } };
  });
}

/** An edge of the canvas, as pipelineGraph draws it. */
export interface EdgeRef {
  source: string;
  target: string;
  sourcePort?: string;
  targetPort?: string;
  kind: 'data' | 'after' | 'items' | 'collect' | 'condition';
}

/** Removes what an edge stands for; refuses edges that are not a binding the editor can drop. */
export function disconnect(spec: PipelineSpec, edge: EdgeRef): EditResult {
  switch (edge.kind) {
    case 'after':
      return {
        ok: true,
        spec: updateNode(spec, edge.target, (node) => {
          const after = (node.after ?? []).filter((a) => a !== edge.source);
          if (after.length === (node.after ?? []).length) return node;
          const { after: _after, ...rest } = node;
          return after.length ? { ...rest, after } : rest;
        }),
      };
    case 'items':
      return { ok: false, reason: `loop "${edge.target}" needs its items; connect another list to its items input instead` };
    case 'condition':
      return { ok: false, reason: `"${edge.target}" runs under a condition that reads "${edge.source}"; edit the condition in the pipeline's source` };
    case 'data':
    case 'collect': {
      const port = edge.targetPort;
      if (port === undefined) return { ok: false, reason: 'this edge names no input port' };
      return {
        ok: true,
        spec: updateNode(spec, edge.target, (node) => {
          if (isLoopNode(node)) return node;
          const current = node.inputs[port];
          if (current && 'oneOf' in current) {
            // Keep the other branches of a oneOf; a single survivor becomes a plain binding.
            const rest = current.oneOf.filter((b) => !('task' in b && b.task === edge.source && b.output === edge.sourcePort));
            const [only] = rest;
            if (rest.length >= 2) return { ...node, inputs: { ...node.inputs, [port]: { oneOf: rest } } };
            if (only) return { ...node, inputs: { ...node.inputs, [port]: only } };
          }
          const { [port]: _removed, ...inputs } = node.inputs;
          return { ...node, inputs };
        }),
      };
    }
  }
}
