import { describe, expect, it } from 'vitest';
import type { Artifact, Execution } from '../runview/apiTypes';
import { executionRecord } from '../runview/testRecords';
import {
  emptyLineage,
  expandPath,
  expansionPath,
  frontier,
  hiddenNeighbours,
  mergeLineage,
  nodeName,
  reuseNote,
  reuseText,
  runOf,
  runsInGraph,
  searchNodes,
  viewGraph,
  type LineageAnswer,
  type LineageNodeDto,
} from './graph';

const artifact = (id: string, type: string, name: string): LineageNodeDto => ({
  kind: 'artifact',
  id,
  artifact: { id, type, name, uri: '', sha256: 'x', size: 10, properties: {}, createdAt: '2030-01-01T00:00:00Z' } satisfies Artifact,
});
const execution = (id: string, runId: string, taskId: string, status: Execution['status'] = 'succeeded', cachedFrom: string | null = null): LineageNodeDto => ({
  kind: 'execution',
  id,
  execution: executionRecord(taskId, status, { id, runId, startedAt: '2030-01-01T00:00:00Z', finishedAt: null, cachedFrom }),
});
const once = { executions: 1, runs: 1 };
const never = { executions: 0, runs: 0 };
const runInfo = (id: string) => ({ id, pipelineName: 'iris', status: 'succeeded' as const, createdAt: `2030-01-0${id === 'r1' ? 1 : 2}T00:00:00Z` });

// model ← train ← split.train ← split ← iris dataset ← load; run r2 reused split from the cache.
const modelHop: LineageAnswer = {
  root: 'r1.train.model',
  nodes: [{ ...artifact('r1.train.model', 'Model', 'train.model'), depth: 0 }, { ...execution('r1.train', 'r1', 'train'), depth: 1 }, { ...artifact('r1.split.train', 'Dataset', 'split.train'), depth: 1 }],
  edges: [
    { from: 'r1.train', to: 'r1.train.model', kind: 'output', port: 'model' },
    { from: 'r1.split.train', to: 'r1.train', kind: 'input', port: 'train' },
  ],
  truncated: true,
  neighbours: [
    { id: 'r1.train.model', upstream: 1, downstream: 1, reusedBy: never },
    { id: 'r1.train', upstream: 1, downstream: 1, reusedBy: never },
    { id: 'r1.split.train', upstream: 1, downstream: 1, reusedBy: once },
  ],
  runs: [runInfo('r1')],
};
const splitHop: LineageAnswer = {
  root: 'r1.split.train',
  nodes: [
    artifact('r1.split.train', 'Dataset', 'split.train'),
    execution('r1.split', 'r1', 'split'),
    execution('r2.split', 'r2', 'split', 'cached', 'r1.split'),
    artifact('r1.load.dataset', 'Dataset', 'load.dataset'),
  ],
  edges: [
    { from: 'r1.split', to: 'r1.split.train', kind: 'output', port: 'train' },
    { from: 'r2.split', to: 'r1.split.train', kind: 'reused', port: 'train' },
    { from: 'r1.load.dataset', to: 'r1.split', kind: 'input', port: 'dataset' },
    { from: 'r1.load.dataset', to: 'r2.split', kind: 'input', port: 'dataset' },
  ],
  truncated: false,
  neighbours: [
    { id: 'r1.split', upstream: 1, downstream: 2, reusedBy: once },
    { id: 'r2.split', upstream: 1, downstream: 2, reusedBy: never },
    { id: 'r1.load.dataset', upstream: 1, downstream: 1, reusedBy: once },
    { id: 'r1.split.train', upstream: 1, downstream: 1, reusedBy: once },
  ],
  runs: [runInfo('r1'), runInfo('r2')],
};

describe('the lineage graph', () => {
  it('names nodes for people: artifact type and name, task name', () => {
    const s = mergeLineage(emptyLineage('r1.train.model'), modelHop);
    expect(nodeName(s.nodes['r1.train.model'] as LineageNodeDto)).toBe('Model train.model');
    expect(nodeName(s.nodes['r1.train'] as LineageNodeDto)).toBe('train');
  });

  it('knows which nodes have more to load, each way, and how to load one hop', () => {
    const s = mergeLineage(emptyLineage('r1.train.model'), modelHop);
    expect(hiddenNeighbours(s, 'r1.split.train')).toEqual({ upstream: 1, downstream: 0, reused: 1 });
    expect(hiddenNeighbours(s, 'r1.train.model')).toEqual({ upstream: 0, downstream: 1, reused: 0 });
    // Reuse stays folded: it is no frontier.
    expect(frontier(s).map((f) => `${f.id}:${f.directions.join('+')}`).sort()).toEqual(['r1.split.train:upstream', 'r1.train.model:downstream']);
    expect(expansionPath({ kind: 'artifact', id: 'r1.split.train' }, 'upstream')).toBe('/api/artifacts/r1.split.train/lineage?direction=upstream&depth=1');
    expect(expansionPath({ kind: 'execution', id: 'r1.sweep[1]/fit' }, 'downstream')).toBe('/api/executions/r1.sweep%5B1%5D%2Ffit/lineage?direction=downstream&depth=0');
    expect(expandPath({ kind: 'artifact', id: 'r1.split.train' }, 'reused')).toBe('/api/artifacts/r1.split.train/reuse');
    expect(expandPath({ kind: 'execution', id: 'r1.sweep[1]/fit' }, 'reused')).toBe('/api/executions/r1.sweep%5B1%5D%2Ffit/reuse');
  });

  it('merges a hop: the model reaches the training data and the loaded dataset, distances stay from the start', () => {
    let s = mergeLineage(emptyLineage('r1.train.model'), modelHop);
    s = mergeLineage(s, splitHop);
    expect(Object.keys(s.nodes).sort()).toEqual(['r1.load.dataset', 'r1.split', 'r1.split.train', 'r1.train', 'r1.train.model', 'r2.split']);
    expect(hiddenNeighbours(s, 'r1.split.train')).toEqual({ upstream: 0, downstream: 0, reused: 0 });
    // The dataset's one reader that ran is loaded; the cached one is its reuse, loaded too.
    expect(hiddenNeighbours(s, 'r1.load.dataset')).toEqual({ upstream: 1, downstream: 0, reused: 0 });
    expect(hiddenNeighbours(s, 'r1.split')).toEqual({ upstream: 0, downstream: 1, reused: 0 });
    expect(s.nodes['r1.split.train']?.depth).toBe(1);
    expect(s.nodes['r1.load.dataset']?.depth).toBeUndefined();
    // Merging the same answer again changes nothing.
    expect(mergeLineage(s, splitHop)).toEqual(s);
  });

  it('folds reuse: one producer per artifact; a cached execution names its original; counts in words', () => {
    const s = mergeLineage(mergeLineage(emptyLineage('r1.train.model'), modelHop), splitHop);
    expect(Object.values(s.edges).filter((e) => e.to === 'r1.split.train' && e.kind === 'output').map((e) => e.from)).toEqual(['r1.split']);
    expect(reuseNote(s, s.nodes['r2.split'] as LineageNodeDto)).toBe('reused from split in iris run r1');
    expect(reuseNote(s, s.nodes['r1.split'] as LineageNodeDto)).toBe('reused by 1 run');
    expect(reuseNote(s, s.nodes['r1.train'] as LineageNodeDto)).toBe('');
    // The original not loaded: its id.
    const alone = mergeLineage(emptyLineage('x'), { root: 'x', nodes: [execution('r3.split', 'r3', 'split', 'cached', 'r0.split')], edges: [], truncated: false });
    expect(reuseNote(alone, alone.nodes['r3.split'] as LineageNodeDto)).toBe('reused from r0.split');
    expect(reuseText({ executions: 5, runs: 4 })).toBe('reused by 4 runs');
    expect(reuseText({ executions: 3, runs: 3 })).toBe('reused by 3 runs');
  });

  it('draws reuse dashed: a cached execution to what it handed out, beside its original', () => {
    const s = mergeLineage(mergeLineage(emptyLineage('r1.train.model'), modelHop), splitHop);
    const { nodes, edges } = viewGraph(s, new Set());
    expect(edges.filter((e) => e.kind === 'reuse').map((e) => `${e.source}->${e.target}:${e.label}`)).toEqual(['r2.split->r1.split.train:reused train']);
    expect(nodes.find((n) => n.id === 'r1.split')).toMatchObject({ reuse: 'reused by 1 run', hidden: { reused: 0 } });
    expect(nodes.find((n) => n.id === 'r2.split')).toMatchObject({ reuse: 'reused from split in iris run r1' });
    // Nothing shared loaded (a reuse unfolded from an execution with no artifacts): an edge from the original.
    const bare = mergeLineage(emptyLineage('r1.check'), {
      root: 'r1.check',
      nodes: [execution('r1.check', 'r1', 'check'), execution('r2.check', 'r2', 'check', 'cached', 'r1.check')],
      edges: [],
      truncated: false,
    });
    expect(viewGraph(bare, new Set()).edges).toEqual([{ id: 'r1.check->r2.check', source: 'r1.check', target: 'r2.check', label: 'reused by', kind: 'reuse' }]);
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
      'r2.split->run:r1:reused train',
    ]);
  });
});
