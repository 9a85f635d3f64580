/**
 * The run graph's React Flow nodes and edges: the pipeline's graph (graph/pipelineGraph.ts, the
 * same one the editor draws), placed by the layout, with each task's state from the run view state.
 * Pure, so what a node says for a state is unit-tested.
 */
import type { Edge } from '@xyflow/react';
import type { PipelineGraph } from '../graph/pipelineGraph';
import type { NodeBox } from '../layout/layoutGraph';
import type { RunFlowNode, RunLoopNode } from './RunNode';
import { formatDuration, nodeView, taskDuration, type RunViewState, type TaskView } from './runState';

/** "1.2 s · attempt 2 · 3/10 items" */
export function taskDetail(view: TaskView & { paths?: number }, now: number): string {
  const parts: string[] = [];
  const d = taskDuration(view, now);
  if (d !== undefined && view.state !== 'cached') parts.push(formatDuration(d));
  if (view.state === 'cached') parts.push(view.cachedFrom ? 'reused' : 'from cache');
  if (view.attempt > 1) parts.push(`attempt ${view.attempt}`);
  if (view.items) parts.push(`${view.items.done}/${view.items.total} items${view.items.failed ? `, ${view.items.failed} failed` : ''}`);
  else if (view.paths !== undefined && view.paths > 1) parts.push(`${view.paths} runs`);
  return parts.join(' · ');
}

export function runFlowNodes(graph: PipelineGraph, boxes: ReadonlyMap<string, NodeBox>, state: RunViewState, selected: string | undefined, now: number): (RunFlowNode | RunLoopNode)[] {
  // Parents before children (React Flow needs a parent node earlier in the array).
  const ordered = [...graph.nodes].sort((a, b) => (a.parent === undefined ? 0 : 1) - (b.parent === undefined ? 0 : 1));
  return ordered.map((n): RunFlowNode | RunLoopNode => {
    const box = boxes.get(n.id) ?? { x: 0, y: 0, width: 220, height: 60 };
    const view = nodeView(state, n.id);
    const common = {
      id: n.id,
      position: { x: box.x, y: box.y },
      ...(n.parent !== undefined ? { parentId: n.parent, extent: 'parent' as const } : {}),
      draggable: false,
      connectable: false,
    };
    if (n.kind === 'loop') {
      return { ...common, type: 'runLoop', data: { label: n.label, state: view.state, detail: taskDetail(view, now) }, style: { width: box.width, height: box.height }, selectable: false };
    }
    return {
      ...common,
      type: 'runTask',
      data: {
        taskId: n.id,
        label: n.label,
        ...(n.component !== undefined ? { component: n.componentSpec?.name ?? n.component } : {}),
        state: view.state,
        detail: taskDetail(view, now),
        ...(view.error ? { error: view.error } : {}),
        selected: selected === n.id,
      },
      selected: selected === n.id,
      style: { width: box.width },
    };
  });
}

export function runFlowEdges(graph: PipelineGraph, state: RunViewState): Edge[] {
  return graph.edges.map((e) => {
    const source = nodeView(state, e.source).state;
    const active = source === 'running';
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      ...(e.sourcePort !== undefined && e.targetPort !== undefined ? { label: e.sourcePort === e.targetPort ? e.sourcePort : `${e.sourcePort} → ${e.targetPort}` } : {}),
      animated: active,
      className: `run-edge kind-${e.kind}`,
      ...(e.kind === 'after' || e.kind === 'condition' ? { style: { strokeDasharray: '5 4' } } : {}),
    };
  });
}
