/**
 * Immutable updates of the node tree (top-level tasks and loop bodies, at any depth) with
 * structural sharing: untouched nodes keep their identity, so the canvas re-renders only what an
 * edit changed and undo history stays cheap.
 */
import { indexPipeline, isLoopNode, type Binding, type Expr, type NodeSpec, type OneOfBinding, type Operand, type PipelineSpec } from 'sluice/ir';

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

/**
 * One reference a node holds: a task output (input bindings, oneOf branches, condition operands,
 * loop items, loop outputs), a loop's collected output, a loop's current item, an `after` entry or a
 * pipeline input.
 */
export type NodeRef =
  | { kind: 'task'; id: string; output: string }
  | { kind: 'collect'; id: string; output: string }
  | { kind: 'loopItem'; id: string }
  | { kind: 'after'; id: string }
  | { kind: 'pipelineInput'; id: string };

/** Where a reference sits in its node. */
export type RefPlace = 'input' | 'after' | 'when' | 'items' | 'loopOutput';

/** The id the reference should name from now on (the same id keeps it), or undefined to drop it. */
export type RefMapper = (ref: NodeRef, place: RefPlace) => string | undefined;

/** A reference the mapper dropped that cannot go without changing what the node does. */
export interface StuckRef {
  place: 'when' | 'items';
  ref: NodeRef;
}

export interface MappedRefs {
  /** The node with its references mapped (the same object when nothing changed). */
  node: NodeSpec;
  /** Dropped condition operands and loop items: the node keeps them; callers refuse the edit. */
  stuck: StuckRef[];
}

function refOf(b: Binding): NodeRef | undefined {
  if ('task' in b) return { kind: 'task', id: b.task, output: b.output };
  if ('collect' in b) return { kind: 'collect', id: b.collect.loop, output: b.collect.output };
  if ('loopItem' in b) return { kind: 'loopItem', id: b.loopItem };
  if ('pipelineInput' in b) return { kind: 'pipelineInput', id: b.pipelineInput };
  return undefined;
}

function retarget(b: Binding, id: string): Binding {
  if ('task' in b) return { ...b, task: id };
  if ('collect' in b) return { collect: { ...b.collect, loop: id } };
  if ('loopItem' in b) return { ...b, loopItem: id };
  if ('pipelineInput' in b) return { pipelineInput: id };
  return b;
}

/** A binding other than oneOf, mapped: the same object when kept, undefined when dropped. */
function mapSimple<B extends Exclude<Binding, OneOfBinding>>(b: B, place: RefPlace, fn: RefMapper): B | undefined {
  const ref = refOf(b);
  if (!ref) return b;
  const id = fn(ref, place);
  if (id === undefined) return undefined;
  // retarget keeps the binding's kind, so it stays a B.
  return id === ref.id ? b : (retarget(b, id) as B);
}

/** An input binding, mapped; a oneOf keeps its surviving branches (one left: a plain binding). */
function mapInput(b: Binding, fn: RefMapper): Binding | undefined {
  if (!('oneOf' in b)) return mapSimple(b, 'input', fn);
  const branches = b.oneOf.flatMap((x) => {
    const m = mapSimple(x, 'input', fn);
    return m === undefined ? [] : [m];
  });
  if (branches.length === b.oneOf.length && branches.every((x, i) => x === b.oneOf[i])) return b;
  const [only] = branches;
  return branches.length >= 2 ? { oneOf: branches } : only;
}

function mapExpr(expr: Expr, fn: RefMapper, stuck: StuckRef[]): Expr {
  if ('left' in expr) {
    const side = (op: Operand): Operand => {
      const m = mapSimple(op, 'when', fn);
      if (m !== undefined) return m;
      const ref = refOf(op);
      if (ref) stuck.push({ place: 'when', ref });
      return op;
    };
    const left = side(expr.left);
    const right = side(expr.right);
    return left === expr.left && right === expr.right ? expr : { ...expr, left, right };
  }
  if ('args' in expr) {
    const args = expr.args.map((a) => mapExpr(a, fn, stuck));
    return args.every((a, i) => a === expr.args[i]) ? expr : { ...expr, args };
  }
  const arg = mapExpr(expr.arg, fn, stuck);
  return arg === expr.arg ? expr : { ...expr, arg };
}

/**
 * Walks every reference a node holds (its own, not its body's: mapTasks visits those): input
 * bindings (oneOf branches and collect included), `after`, condition operands, loop items and loop
 * outputs. Dropped inputs, `after` entries and loop outputs go; a dropped condition operand or loop
 * items stays and is reported in `stuck`, since removing it would change when or how often the node runs.
 */
export function mapNodeRefs(node: NodeSpec, fn: RefMapper): MappedRefs {
  const stuck: StuckRef[] = [];
  let next: NodeSpec = node;
  if (node.after) {
    const after = node.after.flatMap((a) => {
      const id = fn({ kind: 'after', id: a }, 'after');
      return id === undefined ? [] : [id];
    });
    if (after.length !== node.after.length || after.some((a, i) => a !== node.after?.[i])) {
      const { after: _after, ...rest } = next;
      next = after.length ? { ...rest, after } : rest;
    }
  }
  if (node.when) {
    const when = mapExpr(node.when, fn, stuck);
    if (when !== node.when) next = { ...next, when };
  }
  if (isLoopNode(next)) {
    const loop = next.loop;
    let items = mapSimple(loop.items, 'items', fn);
    if (items === undefined) {
      const ref = refOf(loop.items);
      if (ref) stuck.push({ place: 'items', ref });
      items = loop.items;
    }
    let outputsChanged = false;
    const outputs: typeof loop.outputs = {};
    for (const [name, ref] of Object.entries(loop.outputs)) {
      const mapped = mapSimple(ref, 'loopOutput', fn);
      if (mapped !== ref) outputsChanged = true;
      if (mapped) outputs[name] = mapped;
    }
    if (items !== loop.items || outputsChanged) next = { ...next, loop: { ...loop, items, outputs: outputsChanged ? outputs : loop.outputs } };
  } else {
    const task = next;
    let changed = false;
    const inputs: Record<string, Binding> = {};
    for (const [port, b] of Object.entries(task.inputs)) {
      const nb = mapInput(b, fn);
      if (nb !== b) changed = true;
      if (nb) inputs[port] = nb;
    }
    if (changed) next = { ...task, inputs };
  }
  return { node: next, stuck };
}

/** Why an edit that would drop `stuck` from node `id` is refused, and what to do first. */
export function stuckReason(id: string, stuck: StuckRef): string {
  const what = stuck.ref.kind === 'pipelineInput' ? `pipeline input ${stuck.ref.id}` : stuck.ref.id;
  return stuck.place === 'when'
    ? `task ${id}'s condition reads ${what}; remove or change the condition first`
    : `loop ${id}'s items come from ${what}; connect another list to its items first`;
}

/** Rewrites the node ids every reference of a node names (pipeline inputs untouched). */
export function renameRefsInNode(node: NodeSpec, rename: (id: string) => string): NodeSpec {
  return mapNodeRefs(node, (ref) => (ref.kind === 'pipelineInput' ? ref.id : rename(ref.id))).node;
}
