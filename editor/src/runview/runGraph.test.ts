import { describe, expect, it } from 'vitest';
import type { PipelineGraph } from '../graph/pipelineGraph';
import type { NodeBox } from '../layout/layoutGraph';
import type { Execution } from 'sluice/api';
import { newRunFlowCache, runFlowEdges, runFlowNodes } from './runGraph';
import { emptyRunView, reduceRun, type RunViewState } from './runState';
import { executionRecord, taskNode } from './testRecords';

const task = taskNode;
const graph: PipelineGraph = {
  nodes: [task('split'), task('train'), task('report')],
  edges: [
    { id: 'split->train', source: 'split', target: 'train', kind: 'data', sourcePort: 'data', targetPort: 'data' },
    { id: 'train->report', source: 'train', target: 'report', kind: 'data', sourcePort: 'model', targetPort: 'model' },
  ],
};
const boxes = new Map<string, NodeBox>(graph.nodes.map((n, i) => [n.id, { x: i * 300, y: 0, width: 220, height: 60 }]));
const execution = (taskId: string, status: Execution['status']): Execution => executionRecord(taskId, status);
const T0 = Date.parse('2030-01-01T00:00:05.000Z');
const byId = <T extends { id: string }>(list: T[]): Map<string, T> => new Map(list.map((n) => [n.id, n]));

describe('run graph nodes keep their objects while what they show is unchanged', () => {
  it('re-creates only the node a state update or a clock tick changed', () => {
    const cache = newRunFlowCache();
    let state: RunViewState = [execution('split', 'succeeded'), execution('train', 'running')].reduce<RunViewState>((s, e) => reduceRun(s, { type: 'execution', execution: e }), emptyRunView());
    const first = byId(runFlowNodes(graph, boxes, state, 'train', T0, cache));
    const firstEdges = byId(runFlowEdges(graph, state, cache));

    // A clock tick: only the running node's duration changes.
    const tick = byId(runFlowNodes(graph, boxes, state, 'train', T0 + 1000, cache));
    expect(tick.get('split')).toBe(first.get('split'));
    expect(tick.get('report')).toBe(first.get('report'));
    expect(tick.get('train')).not.toBe(first.get('train'));
    expect(tick.get('train')?.data.detail).toBe('4.0 s');

    // A stream event for another task (a log line, report's execution) leaves split alone.
    state = reduceRun(state, { type: 'execution', execution: execution('report', 'running') });
    const update = byId(runFlowNodes(graph, boxes, state, 'train', T0 + 1000, cache));
    expect(update.get('split')).toBe(first.get('split'));
    expect(update.get('train')).toBe(tick.get('train'));
    expect(update.get('report')).not.toBe(first.get('report'));
    expect(update.get('report')?.data.state).toBe('running');
    const updateEdges = byId(runFlowEdges(graph, state, cache));
    expect(updateEdges.get('split->train')).toBe(firstEdges.get('split->train'));

    // Selection moves: the two nodes it concerns change, nothing else.
    const moved = byId(runFlowNodes(graph, boxes, state, 'split', T0 + 1000, cache));
    expect(moved.get('split')).not.toBe(update.get('split'));
    expect(moved.get('split')?.selected).toBe(true);
    expect(moved.get('train')?.selected).toBe(false);
    expect(moved.get('report')).toBe(update.get('report'));
  });

  it('builds the same nodes without a cache', () => {
    const state = reduceRun(emptyRunView(), { type: 'execution', execution: execution('split', 'failed') });
    const cached = runFlowNodes(graph, boxes, state, undefined, T0, newRunFlowCache());
    expect(runFlowNodes(graph, boxes, state, undefined, T0)).toEqual(cached);
    expect(byId(cached).get('split')?.data).toMatchObject({ state: 'failed', detail: '1.5 s' });
  });
});
