/**
 * Connecting an output port to an input port: the one place that decides whether a connection is
 * allowed (type rule from sluice/dsl, the compiler's own; scope visibility; no cycles) and what it
 * becomes in the IR (a task-output, collect or loop-items binding). The canvas calls it on every
 * candidate while the user drags, to refuse and explain, and on drop, to apply.
 */
import { incompatibility, indexPipeline, isLoopNode, nodeDependencies, taskOutputPorts, type Binding, type PipelineIndex, type PipelineSpec } from 'sluice/ir';
import { updateNode } from './nodeTree';
import { inputPort, LOOP_ITEMS_PORT, outputPort, portTypeLabel } from './ports';

export interface PortConnection {
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

export type EditResult = { ok: true; spec: PipelineSpec } | { ok: false; reason: string };

const isPrefix = (prefix: string[], of: string[]): boolean => prefix.length <= of.length && prefix.every((s, i) => of[i] === s);

// One index per IR state: the canvas asks on every pointer move while dragging, and the IR is
// immutable, so the index of a spec object never changes.
const indexes = new WeakMap<PipelineSpec, PipelineIndex>();

/** indexPipeline(spec), computed once per spec object. */
export function cachedIndex(spec: PipelineSpec): PipelineIndex {
  let index = indexes.get(spec);
  if (!index) {
    index = indexPipeline(spec);
    indexes.set(spec, index);
  }
  return index;
}

/** Why the connection is refused, or undefined when it is allowed. */
export function connectionProblem(spec: PipelineSpec, c: PortConnection, index: PipelineIndex = cachedIndex(spec)): string | undefined {
  const src = index.nodes.get(c.source);
  const dst = index.nodes.get(c.target);
  if (!src) return `there is no task "${c.source}"`;
  if (!dst) return `there is no task "${c.target}"`;
  if (c.source === c.target) return `"${c.source}" cannot feed itself`;
  const from = outputPort(spec, index, c.source, c.sourcePort);
  const to = inputPort(spec, index, c.target, c.targetPort);
  if (!from) return `"${c.source}" has no output "${c.sourcePort}"`;
  if (!to) return `"${c.target}" has no input "${c.targetPort}"`;
  // Visibility: a node reads outputs of its own scope or an enclosing one; a loop body's tasks are
  // invisible outside it (the loop's collected outputs are what the outside sees).
  if (!isPrefix(src.scope, dst.scope)) {
    return `${c.target} cannot read ${c.source}: "${c.source}" is inside loop "${src.scope[src.scope.length - 1] ?? ''}"; connect the loop's collected output instead`;
  }
  if (dst.scope.includes(c.source)) return `${c.target} is inside loop "${c.source}" and cannot read the loop's collected outputs (they exist only after every item ran)`;
  const why = incompatibility(from, to);
  if (why !== undefined) {
    return `${c.source}.${c.sourcePort} (${portTypeLabel(from)}) cannot feed ${c.target} input '${c.targetPort}' (${portTypeLabel(to)}): ${why}`;
  }
  if (isLoopNode(dst.node) && isLoopNode(src.node)) return `a loop's items cannot come from another loop's collected output; add a task in between`;
  if (isLoopNode(dst.node) && from.kind === 'parameter' && !from.type.startsWith('list<')) {
    return `a loop runs once per item of a list; ${c.source}.${c.sourcePort} is a ${from.type}, not a list`;
  }
  const cycle = cyclePath(index, c.source, c.target);
  if (cycle) return `connecting would make a cycle: ${cycle.join(' → ')}`;
  return undefined;
}

/**
 * The dependency path that the new edge would close into a cycle, or undefined. The edge makes
 * the target's ancestor at the source's level depend on the source; that is a cycle when the
 * source already depends (transitively) on that ancestor.
 */
function cyclePath(index: PipelineIndex, source: string, target: string): string[] | undefined {
  const src = index.nodes.get(source);
  const dst = index.nodes.get(target);
  if (!src || !dst) return undefined;
  const dependent = [...dst.scope, target][src.scope.length];
  if (dependent === undefined) return undefined;
  const parent = new Map<string, string>();
  const seen = new Set<string>([source]);
  const queue = [source];
  while (queue.length) {
    const id = queue.shift() as string;
    if (id === dependent) {
      // dependent feeds … feeds source (each parent depends on its child); the new edge closes it.
      const chain = [id];
      for (let p = parent.get(id); p !== undefined; p = parent.get(p)) chain.push(p);
      return [...chain, dependent];
    }
    for (const dep of nodeDependencies(index, id)) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      parent.set(dep, id);
      queue.push(dep);
    }
  }
  return undefined;
}

/**
 * Every output (task outputs, loops' collected outputs) that may feed input `targetPort` of
 * `target`: the choices a keyboard user gets instead of dragging an edge.
 */
export function connectableOutputs(spec: PipelineSpec, target: string, targetPort: string): PortConnection[] {
  const index = cachedIndex(spec);
  const out: PortConnection[] = [];
  for (const [source, info] of index.nodes) {
    if (source === target) continue;
    const ports = isLoopNode(info.node) ? Object.keys(info.node.loop.outputs) : Object.keys(taskOutputPorts(info.node, spec.components[info.node.component]));
    for (const sourcePort of ports) {
      const c = { source, sourcePort, target, targetPort };
      if (connectionProblem(spec, c, index) === undefined) out.push(c);
    }
  }
  return out;
}

/** Applies the connection: the target input (or loop items) now reads the source output. */
export function connect(spec: PipelineSpec, c: PortConnection): EditResult {
  const index = cachedIndex(spec);
  const problem = connectionProblem(spec, c, index);
  if (problem !== undefined) return { ok: false, reason: problem };
  const srcNode = index.nodes.get(c.source)?.node;
  const binding: Binding =
    srcNode && isLoopNode(srcNode) ? { collect: { loop: c.source, output: c.sourcePort } } : { task: c.source, output: c.sourcePort };
  const next = updateNode(spec, c.target, (node) => {
    if (isLoopNode(node)) {
      if (c.targetPort !== LOOP_ITEMS_PORT || !('task' in binding)) return node;
      return { ...node, loop: { ...node.loop, items: binding } };
    }
    return { ...node, inputs: { ...node.inputs, [c.targetPort]: binding } };
  });
  return { ok: true, spec: next };
}
