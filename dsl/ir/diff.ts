/**
 * What changed between two versions of a pipeline: tasks added, removed and changed (component,
 * inputs, options), edges rewired, pipeline inputs and outputs changed. A pure function over two IR
 * specs, so the CLI (`sluice pipelines diff`), the API and the editor show the same diff. Editor-only
 * `ui` fields never count (as in the digest). The answer's shape is a zod schema (the API contract
 * reuses it); values (bindings, options, port specs) are JSON as the IR holds them.
 */
import { z } from 'zod';
import { canonicalJson } from './digest';
import { indexPipeline, isLoopNode } from './graph';
import type { Binding, NodeSpec, PipelineSpec } from './schema';

/** A JSON value of the IR (a binding, an option, a port spec); `null` where a side has none. */
const irValue = z.unknown().meta({ description: 'A JSON value of the IR; null where that side has none' });

const componentIdentitySchema = z.object({
  ref: z.string().meta({ description: "Key in the pipeline's `components`" }),
  name: z.string(),
  version: z.string(),
  digest: z.string().meta({ description: "The implementation's digest (code, command, nested pipeline)" }),
});

const nodeRefSchema = z.object({
  id: z.string(),
  kind: z.enum(['task', 'loop']),
  scope: z.array(z.string()).meta({ description: 'Enclosing loops, outermost first' }),
  component: z.string().nullable().meta({ description: 'Component name (null for a loop)' }),
});

const valueChangeSchema = z.object({ name: z.string(), from: irValue, to: irValue });

const taskChangeSchema = z.object({
  id: z.string(),
  kind: z.enum(['task', 'loop']),
  scope: z.array(z.string()),
  component: z
    .object({ from: componentIdentitySchema, to: componentIdentitySchema, specChanged: z.boolean().meta({ description: 'Ports or options of the component changed too' }) })
    .nullable()
    .meta({ description: 'The component changed: another one, another version or implementation digest' }),
  inputs: z.array(valueChangeSchema).meta({ description: 'Input bindings set, unset or changed (a loop: its items)' }),
  options: z.array(valueChangeSchema).meta({ description: 'Other fields of the node: when, resources, retry, timeout, cache, exitHandler, scope, kind, loop settings' }),
});

const edgeSchema = z.object({
  from: z.string().meta({ description: 'Upstream node id' }),
  output: z.string().nullable().meta({ description: 'Its output (null for an `after` ordering)' }),
  to: z.string().meta({ description: 'Downstream node id' }),
  input: z.string().nullable().meta({ description: 'The input it feeds (null for `after`)' }),
});

export const pipelineDiffSchema = z
  .object({
    identical: z.boolean().meta({ description: 'Nothing differs but editor-only layout' }),
    name: z.object({ from: z.string(), to: z.string() }).nullable(),
    tasks: z.object({ added: z.array(nodeRefSchema), removed: z.array(nodeRefSchema), changed: z.array(taskChangeSchema) }),
    edges: z
      .object({ added: z.array(edgeSchema), removed: z.array(edgeSchema) })
      .meta({ description: 'Wiring into nodes present in both versions (edges of added or removed nodes come with them)' }),
    inputs: z.object({ added: z.array(valueChangeSchema), removed: z.array(valueChangeSchema), changed: z.array(valueChangeSchema) }),
    outputs: z.object({ added: z.array(valueChangeSchema), removed: z.array(valueChangeSchema), changed: z.array(valueChangeSchema) }),
  })
  .meta({ id: 'PipelineDiff' });

export type PipelineDiff = z.infer<typeof pipelineDiffSchema>;
export type PipelineDiffNode = z.infer<typeof nodeRefSchema>;
export type PipelineDiffEdge = z.infer<typeof edgeSchema>;
export type PipelineDiffTask = z.infer<typeof taskChangeSchema>;
export type PipelineDiffValue = z.infer<typeof valueChangeSchema>;

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);
const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Keyed values on both sides → added, removed and changed entries (sorted by key). */
function diffRecords(a: Record<string, unknown>, b: Record<string, unknown>): { added: PipelineDiffValue[]; removed: PipelineDiffValue[]; changed: PipelineDiffValue[] } {
  const added: PipelineDiffValue[] = [];
  const removed: PipelineDiffValue[] = [];
  const changed: PipelineDiffValue[] = [];
  for (const [name, from] of Object.entries(a)) {
    if (!(name in b)) removed.push({ name, from, to: null });
    else if (!same(from, b[name])) changed.push({ name, from, to: b[name] });
  }
  for (const [name, to] of Object.entries(b)) if (!(name in a)) added.push({ name, from: null, to });
  return { added: added.sort(byName), removed: removed.sort(byName), changed: changed.sort(byName) };
}

function componentOf(spec: PipelineSpec, node: NodeSpec): z.infer<typeof componentIdentitySchema> | null {
  if (isLoopNode(node)) return null;
  const c = spec.components[node.component];
  return { ref: node.component, name: c?.name ?? node.component, version: c?.version ?? '', digest: c?.impl.digest ?? '' };
}

/** Data edges into a node (its own bindings that read a task's output) and its `after` orderings. */
function edgesInto(id: string, node: NodeSpec): PipelineDiffEdge[] {
  const out: PipelineDiffEdge[] = [];
  const fromBinding = (input: string, b: Binding): void => {
    if ('task' in b) out.push({ from: b.task, output: b.output, to: id, input });
    else if ('collect' in b) out.push({ from: b.collect.loop, output: b.collect.output, to: id, input });
    else if ('oneOf' in b) for (const o of b.oneOf) if ('task' in o) out.push({ from: o.task, output: o.output, to: id, input });
  };
  if (isLoopNode(node)) fromBinding('items', node.loop.items);
  else for (const [input, b] of Object.entries(node.inputs)) fromBinding(input, b);
  for (const before of node.after ?? []) out.push({ from: before, output: null, to: id, input: null });
  return out;
}

const edgeKey = (e: PipelineDiffEdge): string => canonicalJson(e);

/** The fields of a node other than its component, inputs, `after` and layout, by name. */
function nodeOptions(node: NodeSpec, scope: readonly string[]): Record<string, unknown> {
  const common = { kind: isLoopNode(node) ? 'loop' : 'task', scope, when: node.when };
  if (isLoopNode(node)) {
    const { tasks: _tasks, items: _items, ...loop } = node.loop;
    return { ...common, ...loop };
  }
  const { component: _c, inputs: _i, after: _a, ui: _u, ...rest } = node;
  return { ...common, ...rest };
}

const present = (r: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));

/** The difference between version `a` and version `b` of a pipeline (what `b` changed). */
export function diffPipelines(a: PipelineSpec, b: PipelineSpec): PipelineDiff {
  const ia = indexPipeline(a);
  const ib = indexPipeline(b);
  const ref = (spec: PipelineSpec, id: string, node: NodeSpec, scope: string[]): PipelineDiffNode => ({
    id,
    kind: isLoopNode(node) ? 'loop' : 'task',
    scope,
    component: componentOf(spec, node)?.name ?? null,
  });

  const added: PipelineDiffNode[] = [];
  const removed: PipelineDiffNode[] = [];
  const changed: PipelineDiffTask[] = [];
  const edgesAdded: PipelineDiffEdge[] = [];
  const edgesRemoved: PipelineDiffEdge[] = [];

  for (const [id, info] of ia.nodes) if (!ib.nodes.has(id)) removed.push(ref(a, id, info.node, info.scope));
  for (const [id, info] of ib.nodes) {
    const before = ia.nodes.get(id);
    if (!before) {
      added.push(ref(b, id, info.node, info.scope));
      continue;
    }
    const ca = componentOf(a, before.node);
    const cb = componentOf(b, info.node);
    let component: PipelineDiffTask['component'] = null;
    if (ca && cb) {
      const specA = a.components[ca.ref];
      const specB = b.components[cb.ref];
      const specChanged = !same(specA, specB);
      if (ca.name !== cb.name || ca.version !== cb.version || ca.digest !== cb.digest || specChanged) component = { from: ca, to: cb, specChanged };
    }
    const inputsA: Record<string, unknown> = isLoopNode(before.node) ? { items: before.node.loop.items } : before.node.inputs;
    const inputsB: Record<string, unknown> = isLoopNode(info.node) ? { items: info.node.loop.items } : info.node.inputs;
    const inputs = diffRecords(inputsA, inputsB);
    const options = diffRecords(present(nodeOptions(before.node, before.scope)), present(nodeOptions(info.node, info.scope)));
    const inputChanges = [...inputs.removed, ...inputs.added, ...inputs.changed].sort(byName);
    const optionChanges = [...options.removed, ...options.added, ...options.changed].sort(byName);
    if (component || inputChanges.length || optionChanges.length) {
      changed.push({ id, kind: isLoopNode(info.node) ? 'loop' : 'task', scope: info.scope, component, inputs: inputChanges, options: optionChanges });
    }
    const ea = new Map(edgesInto(id, before.node).map((e) => [edgeKey(e), e]));
    const eb = new Map(edgesInto(id, info.node).map((e) => [edgeKey(e), e]));
    for (const [k, e] of ea) if (!eb.has(k)) edgesRemoved.push(e);
    for (const [k, e] of eb) if (!ea.has(k)) edgesAdded.push(e);
  }

  const inputs = diffRecords(a.inputs, b.inputs);
  const outputs = diffRecords(a.outputs, b.outputs);
  const name = a.name === b.name ? null : { from: a.name, to: b.name };
  const identical =
    !name &&
    !added.length &&
    !removed.length &&
    !changed.length &&
    !edgesAdded.length &&
    !edgesRemoved.length &&
    [inputs, outputs].every((d) => !d.added.length && !d.removed.length && !d.changed.length);
  return {
    identical,
    name,
    tasks: { added, removed, changed },
    edges: { added: edgesAdded, removed: edgesRemoved },
    inputs,
    outputs,
  };
}
