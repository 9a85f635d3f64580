/**
 * The statement structure of one scope (a pipeline's top level or a loop body): which nodes are
 * written inside `p.when(...).elseIf(...).else(...)` chains, in what order, and which task handles
 * each branch callback must return so that code outside it can read them.
 *
 * Chains are recovered from what `p.when` records: `ui.group` "when-N.<branch>" and the guard
 * expressions it builds (see `branch`/`chain` in pipeline.ts). A group whose guards do not have
 * exactly that shape, or whose tasks cannot be written together (a task outside it reads one
 * branch and feeds another), is "dissolved": its tasks are written one by one with a `when`
 * option and their `ui.group`. Either way the IR comes back the same; chains only read better.
 */
import { canonicalJson } from '../ir/digest';
import { isLoopNode, nodeDependencies, type PipelineIndex } from '../ir/graph';
import type { Expr } from '../ir/schema';

/** The top of a scope, or one branch of a chain. */
export interface Container {
  parent: Container | undefined;
  /** The chain this is a branch of (undefined for the scope's top). */
  chain: PlanChain | undefined;
  /** "0", "1", … or "else". */
  key: string;
  /** The branch's own condition (undefined for `else` and the scope top). */
  cond: Expr | undefined;
  /** The guards `p.when` has in force inside this branch. */
  guards: Expr[];
  units: PlanUnit[];
  /** Node ids whose handles this branch's callback returns. */
  exports: Set<string>;
}

export interface PlanNode {
  kind: 'node';
  id: string;
  container: Container;
  /** A loop's body. */
  body?: ScopePlan;
}

export interface PlanChain {
  kind: 'chain';
  /** N of the "when-N.x" groups in the IR. */
  group: number;
  branches: Container[];
}

export type PlanUnit = PlanNode | PlanChain;

export interface ScopePlan {
  root: Container;
  /** Nodes whose handle some code reads (so they need a `const`). */
  used: Set<string>;
}

const GROUP = /^when-(\d+)\.(\d+|else)$/;
const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/** What `p.when` records on a node for this guard list. */
export function guardExpr(guards: Expr[]): Expr | undefined {
  if (guards.length === 0) return undefined;
  return guards.length === 1 ? guards[0] : { op: 'and', args: [...guards] };
}

interface Member {
  id: string;
  key: string;
  when: Expr;
}

interface ParsedBranch {
  key: string;
  cond: Expr | undefined;
  guards: Expr[];
  ids: string[];
}

/** Reads a chain's conditions from its members' guards under `outer`, or undefined when they do not fit. */
function parseChain(members: Member[], outer: Expr[]): ParsedBranch[] | undefined {
  const byKey = new Map<string, Member[]>();
  for (const m of members) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m]);
  const numbered = [...byKey.keys()].filter((k) => k !== 'else').map(Number).sort((a, b) => a - b);
  if (numbered.length === 0 || numbered.some((n, i) => n !== i)) return undefined;
  const own = (e: Expr): Expr | undefined => {
    if (outer.length === 0) return e;
    if (e.op !== 'and' || !('args' in e) || e.args.length !== outer.length + 1) return undefined;
    return outer.every((g, j) => same(e.args[j], g)) ? e.args[outer.length] : undefined;
  };
  const conds: Expr[] = [];
  const out: ParsedBranch[] = [];
  const check = (key: string, guard: Expr, cond: Expr | undefined): boolean => {
    const guards = [...outer, guard];
    const expected = guardExpr(guards);
    const group = byKey.get(key) ?? [];
    if (!group.every((m) => same(m.when, expected))) return false;
    out.push({ key, cond, guards, ids: group.map((m) => m.id) });
    return true;
  };
  for (const i of numbered) {
    const first = byKey.get(String(i))?.[0];
    const guard = first && own(first.when);
    if (!guard) return undefined;
    let cond: Expr | undefined;
    if (i === 0) cond = guard;
    else {
      if (guard.op !== 'and' || !('args' in guard) || guard.args.length !== i + 1) return undefined;
      const negated = guard.args.slice(0, i);
      if (!negated.every((a, j) => a.op === 'not' && 'arg' in a && same(a.arg, conds[j]))) return undefined;
      cond = guard.args[i];
    }
    if (!cond || !check(String(i), guard, cond)) return undefined;
    conds.push(cond);
  }
  if (byKey.has('else')) {
    const first = conds[0];
    if (!first) return undefined;
    const guard: Expr = conds.length === 1 ? { op: 'not', arg: first } : { op: 'not', arg: { op: 'or', args: [...conds] } };
    if (!check('else', guard, undefined)) return undefined;
  }
  return out;
}

function newContainer(parent: Container | undefined, chain: PlanChain | undefined, key: string, cond: Expr | undefined, guards: Expr[]): Container {
  return { parent, chain, key, cond, guards, units: [], exports: new Set() };
}

type Attempt = { ok: true; plan: ScopePlan } | { ok: false; dissolve: number };

function tryPlan(index: PipelineIndex, ids: string[], rootReads: string[], order: Map<string, number>, dissolved: Set<number>): Attempt {
  const root = newContainer(undefined, undefined, '', undefined, []);
  const containerOf = new Map<string, Container>();
  const groups = new Map<number, Member[]>();
  const plain: string[] = [];
  for (const id of ids) {
    const node = index.nodes.get(id)?.node;
    const g = GROUP.exec(node?.ui?.group ?? '');
    const exitHandler = node !== undefined && 'exitHandler' in node && node.exitHandler === true;
    const n = g ? Number(g[1]) : NaN;
    // Exit handlers cannot be written inside p.when(): they keep a `when` option.
    if (g?.[2] !== undefined && node?.when && !exitHandler && !dissolved.has(n)) {
      groups.set(n, [...(groups.get(n) ?? []), { id, key: g[2], when: node.when }]);
    } else plain.push(id);
  }

  // Outer chains come first (p.when numbers them in call order); nest each as deep as its guards say.
  const contexts: Container[] = [root];
  const chainsOf = new Map<Container, PlanChain[]>();
  for (const n of [...groups.keys()].sort((a, b) => a - b)) {
    const members = groups.get(n) ?? [];
    let placed = false;
    for (const ctx of [...contexts].sort((a, b) => b.guards.length - a.guards.length)) {
      const parsed = parseChain(members, ctx.guards);
      if (!parsed) continue;
      const chain: PlanChain = { kind: 'chain', group: n, branches: [] };
      for (const br of parsed) {
        const c = newContainer(ctx, chain, br.key, br.cond, br.guards);
        chain.branches.push(c);
        contexts.push(c);
        for (const id of br.ids) containerOf.set(id, c);
      }
      chainsOf.set(ctx, [...(chainsOf.get(ctx) ?? []), chain]);
      placed = true;
      break;
    }
    if (!placed) plain.push(...members.map((m) => m.id));
  }
  for (const id of plain) containerOf.set(id, root);

  const nodeUnit = new Map<string, PlanNode>();
  for (const id of ids) {
    const container = containerOf.get(id) ?? root;
    nodeUnit.set(id, { kind: 'node', id, container });
  }
  const containerFor = (id: string): Container => containerOf.get(id) ?? root;
  /** The unit of container `at` that holds node `id`. */
  const unitOf = (at: Container, id: string): PlanUnit => {
    let c = containerFor(id);
    if (c === at) return nodeUnit.get(id) as PlanNode;
    while (c.parent !== at && c.parent !== undefined) c = c.parent;
    return c.chain as PlanChain;
  };
  const lca = (a: Container, b: Container): Container => {
    const seen = new Set<Container>();
    for (let c: Container | undefined = a; c; c = c.parent) seen.add(c);
    for (let c: Container | undefined = b; c; c = c.parent) if (seen.has(c)) return c;
    return root;
  };
  const used = new Set<string>();
  const exportTo = (id: string, at: Container): void => {
    used.add(id);
    for (let c: Container | undefined = containerFor(id); c && c !== at; c = c.parent) c.exports.add(id);
  };

  const edges = new Map<PlanUnit, Set<PlanUnit>>();
  for (const id of ids) {
    for (const dep of nodeDependencies(index, id)) {
      const at = lca(containerFor(id), containerFor(dep));
      const unit = unitOf(at, id);
      const depUnit = unitOf(at, dep);
      // Two branches of one chain: a branch's handles are not in scope in another branch.
      if (unit === depUnit) return { ok: false, dissolve: (unit as PlanChain).group };
      edges.set(unit, (edges.get(unit) ?? new Set()).add(depUnit));
      exportTo(dep, at);
    }
  }
  for (const id of rootReads) exportTo(id, root);

  // Where each unit first appears in the IR: units keep that order where the dependencies allow.
  const first = new Map<PlanUnit, number>();
  for (const id of ids) {
    const pos = order.get(id) ?? 0;
    const n = nodeUnit.get(id) as PlanNode;
    first.set(n, pos);
    for (let c: Container | undefined = containerFor(id); c?.chain; c = c.parent) {
      first.set(c.chain, Math.min(first.get(c.chain) ?? Infinity, pos));
    }
  }
  // A chain is written as one statement: keep it only when no other task of the scope sits between
  // its tasks in the IR, so the code creates tasks in IR order (which default ids and component keys follow).
  const span = new Map<PlanChain, [number, number]>();
  for (const id of ids) {
    const pos = order.get(id) ?? 0;
    for (let c: Container | undefined = containerFor(id); c?.chain; c = c.parent) {
      const [lo, hi] = span.get(c.chain) ?? [Infinity, -Infinity];
      span.set(c.chain, [Math.min(lo, pos), Math.max(hi, pos)]);
    }
  }
  for (const id of ids) {
    const pos = order.get(id) ?? 0;
    const inside = new Set<PlanChain>();
    for (let c: Container | undefined = containerFor(id); c?.chain; c = c.parent) inside.add(c.chain);
    for (const [chain, [lo, hi]] of span) {
      if (!inside.has(chain) && pos > lo && pos < hi) return { ok: false, dissolve: chain.group };
    }
  }

  const containers: Container[] = [root, ...contexts.slice(1)];
  for (const c of containers) {
    const units: PlanUnit[] = [...ids.filter((id) => containerFor(id) === c).map((id) => nodeUnit.get(id) as PlanNode), ...(chainsOf.get(c) ?? [])];
    const pending = new Set(units);
    const ordered: PlanUnit[] = [];
    while (pending.size > 0) {
      const ready = [...pending]
        .filter((u) => [...(edges.get(u) ?? [])].every((d) => !pending.has(d)))
        .sort((a, b) => (first.get(a) ?? 0) - (first.get(b) ?? 0));
      const next = ready[0];
      if (!next) {
        // Only a chain can close a cycle (the IR's nodes form a DAG): write its tasks one by one.
        const chains = [...pending].filter((u): u is PlanChain => u.kind === 'chain').sort((a, b) => b.group - a.group);
        const victim = chains[0];
        if (!victim) throw new Error(`internal error: a dependency cycle among nodes ${[...pending].map((u) => (u.kind === 'node' ? u.id : `when-${u.group}`)).join(', ')}`);
        return { ok: false, dissolve: victim.group };
      }
      pending.delete(next);
      ordered.push(next);
    }
    c.units = ordered;
  }
  return { ok: true, plan: { root, used } };
}

/** Plans the scope holding `ids` (in IR order); `rootReads` are handles read at its top (pipeline or loop outputs). */
export function planScope(index: PipelineIndex, ids: string[], rootReads: string[], order: Map<string, number>): ScopePlan {
  const dissolved = new Set<number>();
  for (;;) {
    const attempt = tryPlan(index, ids, rootReads, order, dissolved);
    if (!attempt.ok) {
      dissolved.add(attempt.dissolve);
      continue;
    }
    const visit = (units: PlanUnit[]): void => {
      for (const u of units) {
        if (u.kind === 'chain') {
          for (const b of u.branches) visit(b.units);
          continue;
        }
        const node = index.nodes.get(u.id)?.node;
        if (node && isLoopNode(node)) {
          const bodyIds = Object.keys(node.loop.tasks);
          u.body = planScope(index, bodyIds, Object.values(node.loop.outputs).map((o) => o.task), order);
        }
      }
    };
    visit(attempt.plan.root.units);
    return attempt.plan;
  }
}
