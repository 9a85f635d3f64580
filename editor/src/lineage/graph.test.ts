import { describe, expect, it } from 'vitest';
import type { Artifact, Execution, LineageNeighbourhood, LineageNode } from 'sluice/api';
import { executionRecord } from '../runview/testRecords';
import {
  emptyLineage,
  expansionRequest,
  type HeldNode,
  frontier,
  hiddenNeighbours,
  madeBy,
  mergeLineage,
  nodeName,
  reuseEntries,
  reuseLabel,
  runOf,
  runsInGraph,
  searchNodes,
  viewGraph,
} from './graph';

const artifact = (id: string, type: string, name: string): LineageNode => ({
  kind: 'artifact',
  id,
  depth: 1,
  artifact: { id, type, name, uri: '', sha256: 'x', size: 10, properties: {}, createdAt: '2030-01-01T00:00:00Z' } satisfies Artifact,
});
const execution = (id: string, runId: string, taskId: string, status: Execution['status'] = 'succeeded'): LineageNode => ({
  kind: 'execution',
  id,
  depth: 1,
  execution: executionRecord(taskId, status, { id, runId, startedAt: '2030-01-01T00:00:00Z', finishedAt: null }),
});
const runInfo = (id: string) => ({ id, pipelineName: 'iris', status: 'succeeded' as const, createdAt: `2030-01-0${id === 'r1' ? 1 : 2}T00:00:00Z` });

// model ← train ← split.train ← split ← iris dataset ← load
const modelHop: LineageNeighbourhood = {
  root: 'r1.train.model',
  nodes: [{ ...artifact('r1.train.model', 'Model', 'train.model'), depth: 0 }, { ...execution('r1.train', 'r1', 'train'), depth: 1 }, { ...artifact('r1.split.train', 'Dataset', 'split.train'), depth: 1 }],
  edges: [
    { from: 'r1.train', to: 'r1.train.model', kind: 'output', port: 'model' },
    { from: 'r1.split.train', to: 'r1.train', kind: 'input', port: 'train' },
  ],
  truncated: true,
  neighbours: [
    { id: 'r1.train.model', upstream: 1, downstream: 1 },
    { id: 'r1.train', upstream: 1, downstream: 1 },
    { id: 'r1.split.train', upstream: 2, downstream: 1 },
  ],
  runs: [runInfo('r1')],
};
const splitHop: LineageNeighbourhood = {
  root: 'r1.split.train',
  nodes: [artifact('r1.split.train', 'Dataset', 'split.train'), execution('r1.split', 'r1', 'split'), execution('r2.split', 'r2', 'split', 'cached'), artifact('r1.load.dataset', 'Dataset', 'load.dataset')],
  edges: [
    { from: 'r1.split', to: 'r1.split.train', kind: 'output', port: 'train' },
    { from: 'r2.split', to: 'r1.split.train', kind: 'output', port: 'train' },
    { from: 'r1.load.dataset', to: 'r1.split', kind: 'input', port: 'dataset' },
    { from: 'r1.load.dataset', to: 'r2.split', kind: 'input', port: 'dataset' },
  ],
  truncated: false,
  neighbours: [
    { id: 'r1.split', upstream: 1, downstream: 2 },
    { id: 'r2.split', upstream: 1, downstream: 2 },
    { id: 'r1.load.dataset', upstream: 1, downstream: 2 },
    { id: 'r1.split.train', upstream: 2, downstream: 1 },
  ],
  runs: [runInfo('r1'), runInfo('r2')],
};

describe('the lineage graph', () => {
  it('names nodes for people: artifact type and name, task name', () => {
    const s = mergeLineage(emptyLineage('r1.train.model'), modelHop);
    expect(nodeName(s.nodes['r1.train.model'] as HeldNode)).toBe('Model train.model');
    expect(nodeName(s.nodes['r1.train'] as HeldNode)).toBe('train');
  });

  it('knows which nodes have more to load, each way, and how to load one hop', () => {
    const s = mergeLineage(emptyLineage('r1.train.model'), modelHop);
    expect(hiddenNeighbours(s, 'r1.split.train')).toEqual({ upstream: 2, downstream: 0 });
    expect(hiddenNeighbours(s, 'r1.train.model')).toEqual({ upstream: 0, downstream: 1 });
    expect(frontier(s).map((f) => `${f.id}:${f.directions.join('+')}`).sort()).toEqual(['r1.split.train:upstream', 'r1.train.model:downstream']);
    expect(expansionRequest({ kind: 'artifact', id: 'r1.split.train' }, 'upstream')).toEqual({
      operation: 'getArtifactLineage',
      params: { artifactId: 'r1.split.train' },
      query: { direction: 'upstream', depth: 1 },
    });
    expect(expansionRequest({ kind: 'execution', id: 'r1.sweep[1]/fit' }, 'downstream')).toEqual({
      operation: 'getExecutionLineage',
      params: { executionId: 'r1.sweep[1]/fit' },
      query: { direction: 'downstream', depth: 0 },
    });
  });

  it('merges a hop: the model reaches the training data and the loaded dataset, distances stay from the start', () => {
    let s = mergeLineage(emptyLineage('r1.train.model'), modelHop);
    s = mergeLineage(s, splitHop);
    expect(Object.keys(s.nodes).sort()).toEqual(['r1.load.dataset', 'r1.split', 'r1.split.train', 'r1.train', 'r1.train.model', 'r2.split']);
    expect(hiddenNeighbours(s, 'r1.split.train')).toEqual({ upstream: 0, downstream: 0 });
    expect(s.nodes['r1.split.train']?.depth).toBe(1);
    expect(s.nodes['r1.load.dataset']?.depth).toBeUndefined();
    // Merging the same answer again changes nothing.
    expect(mergeLineage(s, splitHop)).toEqual(s);
  });

  it("puts an artifact in the run that made it, not in a run that reused it from the cache", () => {
    const s = mergeLineage(mergeLineage(emptyLineage('r1.train.model'), modelHop), splitHop);
    expect(runOf(s, 'r1.split.train')).toBe('r1');
    expect(runOf(s, 'r2.split')).toBe('r2');
    // The loaded dataset's producer is not loaded yet: it belongs to no run so far.
    expect(runOf(s, 'r1.load.dataset')).toBeUndefined();
    expect(runsInGraph(s).map((r) => [r.run.id, r.count])).toEqual([
      ['r2', 1],
      ['r1', 4],
    ]);
  });

  it('finds nodes by name, type, task or pipeline', () => {
    const s = mergeLineage(mergeLineage(emptyLineage('r1.train.model'), modelHop), splitHop);
    expect([...searchNodes(s, 'MODEL')]).toEqual(['r1.train.model']);
    expect([...searchNodes(s, 'split')].sort()).toEqual(['r1.split', 'r1.split.train', 'r2.split']);
    expect(searchNodes(s, '  ').size).toBe(0);
  });

  it('collapses a run into one node with its edges rerouted and merged', () => {
    const s = mergeLineage(mergeLineage(emptyLineage('r1.train.model'), modelHop), splitHop);
    const open = viewGraph(s, new Set());
    expect(open.nodes).toHaveLength(6);
    expect(open.nodes.find((n) => n.id === 'r1.train.model')).toMatchObject({ isRoot: true, name: 'Model train.model', hidden: { upstream: 0, downstream: 1 } });
    const closed = viewGraph(s, new Set(['r1']));
    expect(closed.nodes.map((n) => n.id).sort()).toEqual(['r1.load.dataset', 'r2.split', 'run:r1']);
    expect(closed.nodes.find((n) => n.id === 'run:r1')).toMatchObject({ kind: 'run', members: 4, isRoot: true, name: 'iris run' });
    // Edges into the run's nodes land on the run node; the two from the dataset merge into one.
    expect(closed.edges.map((e) => `${e.source}->${e.target}:${e.label}`).sort()).toEqual([
      'r1.load.dataset->r2.split:dataset',
      'r1.load.dataset->run:r1:dataset',
      'r2.split->run:r1:train',
    ]);
  });
});

describe('reuse in the lineage explorer (issue 12)', () => {
  // The model of run r1 was handed out from the cache by `train` of runs r2 and r3.
  const reuseAnswer: LineageNeighbourhood = {
    root: 'r1.train.model',
    nodes: [
      { ...artifact('r1.train.model', 'Model', 'train.model'), depth: 0, reusedBy: { executions: 2, runs: 2 } },
      { ...execution('r2.train', 'r2', 'train', 'cached'), depth: 1 },
      { ...execution('r3.train', 'r3', 'train', 'cached'), depth: 1 },
    ],
    edges: [
      { from: 'r2.train', to: 'r1.train.model', kind: 'reused', port: 'model' },
      { from: 'r3.train', to: 'r1.train.model', kind: 'reused', port: 'model' },
    ],
    truncated: false,
    neighbours: [],
    runs: [runInfo('r2'), { id: 'r3', pipelineName: 'iris-nightly', status: 'failed', createdAt: '2030-01-03T00:00:00Z' }],
  };

  it('folds an artifact\'s reuse into one line on its node', () => {
    const s = mergeLineage(emptyLineage('r1.train.model'), { ...modelHop, nodes: modelHop.nodes.map((n) => (n.id === 'r1.train.model' ? { ...n, reusedBy: { executions: 3, runs: 2 } } : n)) });
    expect(viewGraph(s, new Set()).nodes.find((n) => n.id === 'r1.train.model')?.reused).toBe('reused by 2 runs');
    expect(viewGraph(s, new Set()).nodes.find((n) => n.id === 'r1.train')?.reused).toBeUndefined();
    expect(reuseLabel({ executions: 1, runs: 1 })).toBe('reused by 1 run');
    expect(reuseLabel({ executions: 0, runs: 0 })).toBeUndefined();
    expect(reuseLabel(undefined)).toBeUndefined();
  });

  it('takes the count from the neighbour answer when the node itself carries none', () => {
    const s = mergeLineage(emptyLineage('r1.train.model'), { ...modelHop, neighbours: modelHop.neighbours.map((n) => (n.id === 'r1.train.model' ? { ...n, reusedBy: { executions: 1, runs: 1 } } : n)) });
    expect(viewGraph(s, new Set()).nodes.find((n) => n.id === 'r1.train.model')?.reused).toBe('reused by 1 run');
  });

  it('expands the reuse into run name → task, oldest first, each linking to that run', () => {
    expect(reuseEntries(reuseAnswer, 'r1.train.model')).toEqual([
      { executionId: 'r2.train', runId: 'r2', runName: 'iris run r2', taskId: 'train' },
      { executionId: 'r3.train', runId: 'r3', runName: 'iris-nightly run r3', taskId: 'train' },
    ]);
  });

  it('keeps exactly one "made by" for an artifact, however many cached executions handed it out', () => {
    let s = mergeLineage(emptyLineage('r1.train.model'), modelHop);
    s = mergeLineage(s, reuseAnswer);
    expect(madeBy(s, 'r1.train.model').map((e) => e.from)).toEqual(['r1.train']);
  });
});
