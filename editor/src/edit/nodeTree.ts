/**
 * Immutable updates of the node tree (top-level tasks and loop bodies, at any depth) with
 * structural sharing: untouched nodes keep their identity, so the canvas re-renders only what an
 * edit changed and undo history stays cheap.
 */
import { indexPipeline, isLoopNode, type Binding, type Expr, type NodeSpec, type Operand, type PipelineSpec } from 'sluice/dsl';

/** Returns the new node, the same node (no change) or undefined (delete it). */
export type NodeMapper = (id: string, node: NodeSpec, scope: string[]) => NodeSpec | undefined;

export function mapTasks(tasks: Record<string, NodeSpec>, fn: NodeMapper, scope: string[] = []): Record<string, NodeSpec> {
  let changed = false;
  const out: Record<string, NodeSpec> = {};
  for (const [id, node] of Object.entries(tasks)) {
    let current = node;
    if (isLoopNode(current)) {
      const body = mapTasks(current.loop.tasks, fn, [...scope, id]);
      if (body !== current.loop.tasks) current = { ...current, loop: { ...current.loop, tasks: body } };
    }
    const next = fn(id, current, scope);
    if (next !== node) changed = true;
    if (next !== undefined) out[id] = next;
  }
  return changed ? out : tasks;
}

export function mapNodes(spec: PipelineSpec, fn: NodeMapper): PipelineSpec {
  const tasks = mapTasks(spec.dag.tasks, fn);
  return tasks === spec.dag.tasks ? spec : { ...spec, dag: { ...spec.dag, tasks } };
}

export function updateNode(spec: PipelineSpec, id: string, fn: (node: NodeSpec) => NodeSpec): PipelineSpec {
  return mapNodes(spec, (nid, node) => (nid === id ? fn(node) : node));
}

/** Adds `node` at the top level, or into the body of loop `parent`. */
export function insertNode(spec: PipelineSpec, id: string, node: NodeSpec, parent?: string): PipelineSpec {
  if (parent === undefined) return { ...spec, dag: { ...spec.dag, tasks: { ...spec.dag.tasks, [id]: node } } };
  return updateNode(spec, parent, (loop) => (isLoopNode(loop) ? { ...loop, loop: { ...loop.loop, tasks: { ...loop.loop.tasks, [id]: node } } } : loop));
}

/** Every node id of the pipeline, loop bodies included (ids are unique across scopes). */
export function allNodeIds(spec: PipelineSpec): Set<string> {
  return new Set(indexPipeline(spec).nodes.keys());
}

/** `base`, or `base-2`, `base-3`, … : the first id no node uses (the DSL's own naming rule). */
export function uniqueId(base: string, taken: Set<string>): string {
  const clean = sanitizeId(base);
  if (!taken.has(clean)) return clean;
  const stem = clean.replace(/-\d+$/, '');
  for (let n = 2; ; n++) {
    const id = `${stem.slice(0, 58)}-${n}`;
    if (!taken.has(id)) return id;
  }
}

/** Makes a string a valid IR name (letters first; letters, digits, "-" and "_"; max 63). */
export function sanitizeId(text: string): string {
  let id = text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[^A-Za-z]+/, '');
  if (id === '') id = 'task';
  return id.slice(0, 63);
}

/** Rewrites the node ids a binding refers to (tasks, loops of collect/loopItem); same object when untouched. */
export function renameInBinding(binding: Binding, rename: (id: string) => string): Binding {
  if ('task' in binding) {
    const task = rename(binding.task);
    return task === binding.task ? binding : { ...binding, task };
  }
  if ('collect' in binding) {
    const loop = rename(binding.collect.loop);
    return loop === binding.collect.loop ? binding : { collect: { ...binding.collect, loop } };
  }
  if ('loopItem' in binding) {
    const loopItem = rename(binding.loopItem);
    return loopItem === binding.loopItem ? binding : { ...binding, loopItem };
  }
  if ('oneOf' in binding) {
    let changed = false;
    const oneOf = binding.oneOf.map((b) => {
      if (!('task' in b)) return b;
      const task = rename(b.task);
      if (task === b.task) return b;
      changed = true;
      return { ...b, task };
    });
    return changed ? { oneOf } : binding;
  }
  return binding;
}

function renameInOperand(op: Operand, rename: (id: string) => string): Operand {
  return renameInBinding(op, rename) as Operand;
}

export function renameInExpr(expr: Expr, rename: (id: string) => string): Expr {
  if ('left' in expr) {
    const left = renameInOperand(expr.left, rename);
    const right = renameInOperand(expr.right, rename);
    return left === expr.left && right === expr.right ? expr : { ...expr, left, right };
  }
  if ('args' in expr) {
    const args = expr.args.map((a) => renameInExpr(a, rename));
    return args.every((a, i) => a === expr.args[i]) ? expr : { ...expr, args };
  }
  const arg = renameInExpr(expr.arg, rename);
  return arg === expr.arg ? expr : { ...expr, arg };
}

/** Rewrites every reference a node holds (its own, not its body's: mapTasks visits those). */
export function renameRefsInNode(node: NodeSpec, rename: (id: string) => string): NodeSpec {
  let next: NodeSpec = node;
  if (node.after) {
    const after = node.after.map(rename);
    if (after.some((a, i) => a !== node.after?.[i])) next = { ...next, after };
  }
  if (node.when) {
    const when = renameInExpr(node.when, rename);
    if (when !== node.when) next = { ...next, when };
  }
  if (isLoopNode(next)) {
    const loop = next.loop;
    const items = renameInBinding(loop.items, rename) as typeof loop.items;
    let outputsChanged = false;
    const outputs: typeof loop.outputs = {};
    for (const [name, ref] of Object.entries(loop.outputs)) {
      const task = rename(ref.task);
      if (task !== ref.task) outputsChanged = true;
      outputs[name] = task === ref.task ? ref : { ...ref, task };
    }
    if (items !== loop.items || outputsChanged) next = { ...next, loop: { ...loop, items, outputs: outputsChanged ? outputs : loop.outputs } };
  } else {
    const task = next;
    let changed = false;
    const inputs: Record<string, Binding> = {};
    for (const [port, b] of Object.entries(task.inputs)) {
      const nb = renameInBinding(b, rename);
      if (nb !== b) changed = true;
      inputs[port] = nb;
    }
    if (changed) next = { ...task, inputs };
  }
  return next;
}
