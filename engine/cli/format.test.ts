/** `sluice lineage` output: reuse folded into the nodes ("reused by 2 runs"), unfolded with --reuse. */
import { describe, expect, it } from 'vitest';
import type { Artifact, Execution } from '../contract/index';
import type { LineageGraph } from './reader';
import { formatLineage, formatReuse, formatRun } from './format';

const artifact = (id: string, type: string): Artifact => ({
  id,
  type,
  name: id.split('.').slice(1).join('.'),
  uri: `file:///a/${id}`,
  sha256: 'ab'.repeat(32),
  size: 10,
  properties: {},
  createdAt: '2030-01-01T00:00:00.000Z',
});
const execution = (runId: string, taskId: string, cachedFrom: string | null = null): Execution => ({
  id: `${runId}.${taskId}`,
  runId,
  taskId,
  componentName: taskId,
  componentDigest: 'd',
  status: cachedFrom ? 'cached' : 'succeeded',
  attempt: 1,
  params: { seed: 1 },
  outputParams: null,
  error: null,
  cacheKey: 'k',
  cachedFrom,
  startedAt: '2030-01-01T00:00:00.000Z',
  finishedAt: null,
});

/** r1: split → train → fit → model → evaluate; runs r2 and r3 reused fit and evaluate. */
const graph: LineageGraph = {
  root: 'r1.fit.model',
  nodes: [
    { kind: 'artifact', id: 'r1.fit.model', depth: 0, artifact: artifact('r1.fit.model', 'Model'), reusedBy: { executions: 4, runs: 2 } },
    { kind: 'execution', id: 'r1.fit', depth: 1, execution: execution('r1', 'fit'), reusedBy: { executions: 2, runs: 2 } },
    { kind: 'execution', id: 'r1.evaluate', depth: 1, execution: execution('r1', 'evaluate'), reusedBy: { executions: 2, runs: 2 } },
    { kind: 'artifact', id: 'r1.split.train', depth: 1, artifact: artifact('r1.split.train', 'Dataset'), reusedBy: { executions: 0, runs: 0 } },
  ],
  edges: [
    { from: 'r1.fit', to: 'r1.fit.model', kind: 'output', port: 'model' },
    { from: 'r1.split.train', to: 'r1.fit', kind: 'input', port: 'train' },
    { from: 'r1.fit.model', to: 'r1.evaluate', kind: 'input', port: 'model' },
  ],
  truncated: false,
};

describe('sluice lineage output', () => {
  it('says how often a node was reused, in one phrase', () => {
    expect(formatReuse(undefined)).toBe('');
    expect(formatReuse({ executions: 0, runs: 0 })).toBe('');
    expect(formatReuse({ executions: 1, runs: 1 })).toBe('reused by 1 run');
    expect(formatReuse({ executions: 4, runs: 4 })).toBe('reused by 4 runs');
    // Several cached executions of one run (a model handed out by one, given to another) count once.
    expect(formatReuse({ executions: 5, runs: 4 })).toBe('reused by 4 runs');
  });

  it('folds reuse into the nodes: one producer, the count on the line, a hint to unfold', () => {
    expect(formatLineage(graph).split('\n')).toEqual([
      'Model fit.model [r1.fit.model] sha256:abababababab (reused by 2 runs)',
      'upstream:',
      '  └─ produced (model) by fit (task fit, run r1, succeeded, reused by 2 runs) params: seed=1',
      '     └─ from input train: Dataset split.train [r1.split.train] sha256:abababababab',
      'downstream:',
      '  └─ read (model) by evaluate (task evaluate, run r1, succeeded, reused by 2 runs) params: seed=1',
      '(↺ results reused from the cache are folded into their originals; --reuse lists them)',
    ]);
  });

  it('unfolds reuse under each node, not repeating under an artifact what its execution shows', () => {
    const reuses = new Map<string, Execution[]>([
      ['r1.fit.model', [execution('r2', 'fit', 'r1.fit'), execution('r2', 'evaluate', 'r1.evaluate'), execution('r9', 'fit', 'r0.fit')]],
      ['r1.fit', [execution('r2', 'fit', 'r1.fit')]],
      ['r1.evaluate', [execution('r2', 'evaluate', 'r1.evaluate'), execution('r3', 'evaluate', 'r1.evaluate')]],
    ]);
    expect(formatLineage(graph, reuses).split('\n')).toEqual([
      'Model fit.model [r1.fit.model] sha256:abababababab (reused by 2 runs)',
      // r9's fit reused another original, not in this graph: shown under the artifact it handed out.
      '  ↺ reused by fit (task fit, run r9, cached, reused from r0.fit) params: seed=1',
      '  ↺ … and 1 more',
      'upstream:',
      '  └─ produced (model) by fit (task fit, run r1, succeeded, reused by 2 runs) params: seed=1',
      '     ↺ reused by fit (task fit, run r2, cached, reused from r1.fit) params: seed=1',
      '     ↺ … and 1 more',
      '     └─ from input train: Dataset split.train [r1.split.train] sha256:abababababab',
      'downstream:',
      '  └─ read (model) by evaluate (task evaluate, run r1, succeeded, reused by 2 runs) params: seed=1',
      '     ↺ reused by evaluate (task evaluate, run r2, cached, reused from r1.evaluate) params: seed=1',
      '     ↺ reused by evaluate (task evaluate, run r3, cached, reused from r1.evaluate) params: seed=1',
    ]);
  });

  it('says an artifact only cached executions took is not unused', () => {
    const alone: LineageGraph = {
      root: 'r2.load.data',
      nodes: [{ kind: 'artifact', id: 'r2.load.data', depth: 0, artifact: artifact('r2.load.data', 'Dataset'), reusedBy: { executions: 1, runs: 1 } }],
      edges: [],
      truncated: false,
    };
    expect(formatLineage(alone).split('\n').slice(3)).toEqual(['downstream:', '  (none ran on it; reused by 1 run)', expect.stringContaining('--reuse lists them')]);
  });
});

describe('sluice runs show output', () => {
  it('marks the artifacts a run reused from the cache, and the tasks that reused them', () => {
    const run = {
      id: 'r2',
      pipelineVersionId: 'v',
      pipelineName: 'iris',
      status: 'succeeded' as const,
      params: {},
      trigger: { kind: 'cli' },
      workflowId: 'wf',
      failedTask: null,
      error: null,
      outputs: null,
      createdAt: '2030-01-01T00:00:00.000Z',
      startedAt: null,
      finishedAt: null,
    };
    const lines = formatRun(run, [execution('r2', 'fit', 'r1.fit')], [{ ...artifact('r1.fit.model', 'Model'), taskId: 'fit', port: 'model', reused: true }]).split('\n');
    expect(lines.some((l) => /^\s+fit\s+fit\s+cached\s+1\s+reused r1\.fit$/.test(l))).toBe(true);
    expect(lines).toContain('    r1.fit.model  Model  fit.model (reused)  10 B  file:///a/r1.fit.model');
  });
});

