/**
 * How a scope reads values: bindings, default inputs and `when` conditions, resolved against the
 * outcomes of the nodes that already finished. Pure (no workflow APIs), so the workflow
 * (scope.ts) and the light-chain activity (activities/lightChain.ts), which runs several light
 * steps of a scope in one local activity, resolve a step's inputs with the same code.
 */
import { evaluateExpr } from '../../../dsl/ir/expr';
import { isLoopNode } from '../../../dsl/ir/graph';
import type { Binding, ComponentSpec, NodeSpec, Operand, TaskSpec } from '../../../dsl/ir/schema';
import type { Json, PortValue } from './types';

export type FinalState = 'succeeded' | 'cached' | 'skipped' | 'failed' | 'cancelled';

export interface NodeOutcome {
  state: FinalState;
  outputs: Record<string, PortValue>;
  executionId?: string;
  error?: string;
}

/** The values a scope can read besides its own nodes' outputs. */
export interface ScopeEnv {
  /** Task path prefix: "" at the top, "loop[3]/" in a loop item, "sub/" in a nested pipeline. */
  prefix: string;
  inputs: Record<string, PortValue>;
  /** Current items of the enclosing loops, by loop id. */
  items: Record<string, Json>;
  /** Outcomes of nodes of enclosing scopes. */
  outer: Record<string, NodeOutcome>;
  /** For exit handlers. */
  runStatus?: { status: string; error: string; failedTask: string };
}

export const SKIP = Symbol('skip');
export type Resolved = PortValue | undefined | typeof SKIP;

/** Why a node must be skipped: its condition is false, or what it needs was skipped. */
export function whySkip(node: NodeSpec, deps: string[], outcomes: Record<string, NodeOutcome>, env: ScopeEnv): string | undefined {
  if (deps.length > 0 && deps.every((d) => outcomes[d]?.state === 'skipped')) return 'everything it depends on was skipped';
  const lookup = (b: Binding): Resolved => resolveBinding(b, outcomes, env);
  if (isLoopNode(node)) {
    if (lookup(node.loop.items) === SKIP) return `its items come from a skipped task`;
  } else {
    for (const [port, b] of Object.entries(node.inputs)) {
      if (lookup(b) === SKIP && !node.exitHandler) return `input "${port}" comes from a skipped task`;
    }
  }
  if (node.when) {
    let skippedOperand = false;
    const value = evaluateExpr(node.when, (o: Operand) => {
      const v = lookup(o);
      if (v === SKIP) {
        skippedOperand = true;
        return undefined;
      }
      return v?.kind === 'parameter' ? v.value : undefined;
    });
    if (skippedOperand) return 'its condition reads a skipped task';
    if (!value) return 'its condition is false';
  }
  return undefined;
}

/** A binding's value in this scope; SKIP when its source was skipped; undefined when unset. */
export function resolveBinding(b: Binding, outcomes: Record<string, NodeOutcome>, env: ScopeEnv): Resolved {
  if ('const' in b) return { kind: 'parameter', value: b.const };
  if ('pipelineInput' in b) return env.inputs[b.pipelineInput];
  if ('runStatus' in b) return env.runStatus ? { kind: 'parameter', value: env.runStatus[b.runStatus] } : undefined;
  if ('loopItem' in b) {
    const item = env.items[b.loopItem];
    if (b.field === undefined) return { kind: 'parameter', value: item ?? null };
    const obj = item !== null && typeof item === 'object' && !Array.isArray(item) ? item : {};
    const v = obj[b.field];
    return v === undefined ? undefined : { kind: 'parameter', value: v };
  }
  if ('task' in b || 'collect' in b) {
    const id = 'task' in b ? b.task : b.collect.loop;
    const port = 'task' in b ? b.output : b.collect.output;
    const o = outcomes[id] ?? env.outer[id];
    if (!o || o.state === 'skipped') return SKIP;
    return o.outputs[port];
  }
  for (const option of b.oneOf) {
    const v = resolveBinding(option, outcomes, env);
    if (v !== SKIP && v !== undefined) return v;
  }
  return SKIP;
}

/** A task's input values: its bindings resolved, unset parameters at their defaults, skipped or unset ones absent. */
export function taskInputs(component: ComponentSpec, node: TaskSpec, outcomes: Record<string, NodeOutcome>, env: ScopeEnv): Record<string, PortValue> {
  const inputs: Record<string, PortValue> = {};
  for (const [port, portSpec] of Object.entries(component.inputs)) {
    const binding = node.inputs[port];
    const value = binding ? resolveBinding(binding, outcomes, env) : undefined;
    if (value !== undefined && value !== SKIP) inputs[port] = value;
    else if (portSpec.kind === 'parameter' && portSpec.default !== undefined) inputs[port] = { kind: 'parameter', value: portSpec.default };
  }
  return inputs;
}
