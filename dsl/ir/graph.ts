/**
 * The shape of a pipeline's DAG: nodes (component tasks and loops) in nested scopes, and which
 * nodes of a scope a node depends on. Used by the validator and by the workflow interpreter, so
 * both agree on what "ready" means. Pure functions over the IR.
 */
import { isComparison, type Binding, type Expr, type LoopNodeSpec, type NodeSpec, type Operand, type PipelineSpec, type TaskSpec } from './schema';

export interface NodeInfo {
  id: string;
  node: NodeSpec;
  /** Ids of the enclosing loops, outermost first ([] at the top level). */
  scope: string[];
  /** JSON path of the node in the IR. */
  path: (string | number)[];
}

export interface PipelineIndex {
  nodes: Map<string, NodeInfo>;
  /** Ids used by more than one node (ids are unique across all scopes of a pipeline). */
  duplicates: { id: string; path: (string | number)[] }[];
  /** Node ids directly in each scope, by `scopeKey(scope)`: keeps dependency lookups linear overall. */
  scopes: Map<string, Set<string>>;
}

/** A scope's key in `PipelineIndex.scopes` (loop ids joined; NUL cannot occur in a node id). */
export function scopeKey(scope: readonly string[]): string {
  return scope.join('\u0000');
}

export function isLoopNode(node: NodeSpec): node is LoopNodeSpec {
  return 'loop' in node;
}
export function isTaskNode(node: NodeSpec): node is TaskSpec {
  return 'component' in node;
}

export function indexPipeline(spec: PipelineSpec): PipelineIndex {
  return indexNodes(spec.dag.tasks);
}

/** Indexes a node map as a top level of its own (a loop body run by a batch workflow). */
export function indexNodes(tasks: Record<string, NodeSpec>): PipelineIndex {
  const nodes = new Map<string, NodeInfo>();
  const duplicates: PipelineIndex['duplicates'] = [];
  const scopes = new Map<string, Set<string>>();
  const walk = (tasks: Record<string, NodeSpec>, scope: string[], base: (string | number)[]): void => {
    const key = scopeKey(scope);
    const members = scopes.get(key) ?? new Set<string>();
    scopes.set(key, members);
    for (const [id, node] of Object.entries(tasks)) {
      const path = [...base, id];
      if (nodes.has(id)) duplicates.push({ id, path });
      else {
        nodes.set(id, { id, node, scope, path });
        members.add(id);
      }
      if (isLoopNode(node)) walk(node.loop.tasks, [...scope, id], [...path, 'loop', 'tasks']);
    }
  };
  walk(tasks, [], ['dag', 'tasks']);
  return { nodes, duplicates, scopes };
}

export function exprOperands(expr: Expr): Operand[] {
  if (isComparison(expr)) return [expr.left, expr.right];
  if ('args' in expr) return expr.args.flatMap(exprOperands);
  return exprOperands(expr.arg);
}

/** Bindings a node reads itself (inputs, condition, loop items), not those of a loop's body. */
export function ownBindings(node: NodeSpec): Binding[] {
  const out: Binding[] = node.when ? exprOperands(node.when) : [];
  if (isLoopNode(node)) out.push(node.loop.items);
  else out.push(...Object.values(node.inputs));
  return out;
}

/** Bindings of a node and, for loops, of everything in its body. */
export function deepBindings(node: NodeSpec): Binding[] {
  const out = ownBindings(node);
  if (isLoopNode(node)) for (const inner of Object.values(node.loop.tasks)) out.push(...deepBindings(inner));
  return out;
}

/** Node ids a binding reads outputs of (tasks, or loops for `collect`). */
export function referencedNodes(binding: Binding): string[] {
  if ('task' in binding) return [binding.task];
  if ('collect' in binding) return [binding.collect.loop];
  if ('oneOf' in binding) return binding.oneOf.flatMap((b) => ('task' in b ? [b.task] : []));
  return [];
}

/**
 * The nodes of the same scope that `id` must wait for: data it reads (directly or from inside its
 * loop body) and its `after` list.
 */
export function nodeDependencies(index: PipelineIndex, id: string): string[] {
  const info = index.nodes.get(id);
  if (!info) return [];
  const level = info.scope.length;
  const deps = new Set<string>(info.node.after ?? []);
  for (const b of deepBindings(info.node)) {
    for (const ref of referencedNodes(b)) {
      const target = index.nodes.get(ref);
      if (!target) continue;
      const chain = [...target.scope, ref];
      if (chain.length <= level || !info.scope.every((s, i) => chain[i] === s)) continue;
      const atLevel = chain[level];
      if (atLevel !== undefined && atLevel !== id) deps.add(atLevel);
    }
  }
  const siblings = scopeNodes(index, info.scope);
  return [...deps].filter((d) => siblings.has(d) && d !== id);
}

/** Ids of the nodes directly in a scope (the index's own set: do not modify it). */
export function scopeNodes(index: PipelineIndex, scope: readonly string[]): ReadonlySet<string> {
  return index.scopes.get(scopeKey(scope)) ?? new Set<string>();
}
