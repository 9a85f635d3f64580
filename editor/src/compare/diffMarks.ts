/**
 * A pipeline version diff (GET /api/pipelines/:p/diff, `dsl/ir/diff.ts`) as marks on two drawn
 * graphs: the older version shows what was removed (tasks and wiring), the newer what was added,
 * both what changed. Pure, so the canvas and its unit test agree on which node and edge is which.
 */
import type { PipelineDiff } from 'sluice/ir';
import type { GraphEdge } from '../graph/pipelineGraph';

export type NodeMark = 'added' | 'removed' | 'changed';
export type EdgeMark = 'added' | 'removed';

export interface DiffMarks {
  /** Marks of the older version's nodes (removed, changed). */
  fromNodes: Map<string, NodeMark>;
  /** Marks of the newer version's nodes (added, changed). */
  toNodes: Map<string, NodeMark>;
  /** Wiring removed: keys (`edgeKey`) in the older version's graph. */
  fromEdges: Set<string>;
  /** Wiring added: keys in the newer version's graph. */
  toEdges: Set<string>;
}

/** One key for a wire in a diff and in a drawn graph: from node and output to node and input (`after`: no ports). */
export function edgeKey(e: { from: string; output: string | null; to: string; input: string | null }): string {
  return `${e.from}.${e.output ?? ''}->${e.to}.${e.input ?? ''}`;
}

export function graphEdgeKey(e: GraphEdge): string {
  return edgeKey({ from: e.source, output: e.sourcePort ?? null, to: e.target, input: e.targetPort ?? null });
}

export function diffMarks(diff: PipelineDiff): DiffMarks {
  const fromNodes = new Map<string, NodeMark>();
  const toNodes = new Map<string, NodeMark>();
  for (const t of diff.tasks.removed) fromNodes.set(t.id, 'removed');
  for (const t of diff.tasks.added) toNodes.set(t.id, 'added');
  for (const t of diff.tasks.changed) {
    fromNodes.set(t.id, 'changed');
    toNodes.set(t.id, 'changed');
  }
  return {
    fromNodes,
    toNodes,
    fromEdges: new Set(diff.edges.removed.map(edgeKey)),
    toEdges: new Set(diff.edges.added.map(edgeKey)),
  };
}

/** The changes as lines for the list beside the canvas, grouped as a reader looks for them. */
export interface DiffLine {
  mark: NodeMark;
  /** What it is about: a task id, an edge, a pipeline input or output. */
  subject: string;
  detail: string;
}

const show = (v: unknown): string => (v === null || v === undefined ? '—' : JSON.stringify(v));

export function diffLines(diff: PipelineDiff): DiffLine[] {
  const lines: DiffLine[] = [];
  if (diff.name) lines.push({ mark: 'changed', subject: 'pipeline name', detail: `${diff.name.from} → ${diff.name.to}` });
  for (const t of diff.tasks.added) lines.push({ mark: 'added', subject: `task ${t.id}`, detail: t.component ? `component ${t.component}` : t.kind });
  for (const t of diff.tasks.removed) lines.push({ mark: 'removed', subject: `task ${t.id}`, detail: t.component ? `component ${t.component}` : t.kind });
  for (const t of diff.tasks.changed) {
    if (t.component) {
      const { from, to } = t.component;
      const what = from.name !== to.name ? `${from.name} → ${to.name}` : from.version !== to.version ? `${from.name} ${from.version} → ${to.version}` : `${from.name}: implementation ${from.digest.slice(0, 12)} → ${to.digest.slice(0, 12)}`;
      lines.push({ mark: 'changed', subject: `task ${t.id}`, detail: `component ${what}${t.component.specChanged ? ' (ports or options too)' : ''}` });
    }
    for (const c of t.inputs) lines.push({ mark: 'changed', subject: `task ${t.id}`, detail: `input ${c.name}: ${show(c.from)} → ${show(c.to)}` });
    for (const c of t.options) lines.push({ mark: 'changed', subject: `task ${t.id}`, detail: `${c.name}: ${show(c.from)} → ${show(c.to)}` });
  }
  for (const e of diff.edges.added) lines.push({ mark: 'added', subject: 'wire', detail: edgeKey(e) });
  for (const e of diff.edges.removed) lines.push({ mark: 'removed', subject: 'wire', detail: edgeKey(e) });
  for (const [group, what] of [
    [diff.inputs, 'input'],
    [diff.outputs, 'output'],
  ] as const) {
    for (const c of group.added) lines.push({ mark: 'added', subject: `pipeline ${what} ${c.name}`, detail: show(c.to) });
    for (const c of group.removed) lines.push({ mark: 'removed', subject: `pipeline ${what} ${c.name}`, detail: show(c.from) });
    for (const c of group.changed) lines.push({ mark: 'changed', subject: `pipeline ${what} ${c.name}`, detail: `${show(c.from)} → ${show(c.to)}` });
  }
  return lines;
}
