import { describe, expect, it } from 'vitest';
import type { RunComparison, RunListItem } from 'sluice/api';
import { axisFor, bestCells, compareIdsFromQuery, differingCells, metricOverRuns, overlayCharts, parallelCoordinates, runLabels } from './compareView';

const comparison = (over: Partial<RunComparison> = {}): RunComparison => ({
  runs: ['a', 'b', 'c'].map((id) => ({ id, pipelineName: 'iris', pipelineVersionId: 'v1', pipelineDigest: 'd', status: 'succeeded' as const, createdAt: '2026-01-01T00:00:00.000Z' })),
  pipelineChanged: false,
  params: [
    { key: 'epochs', values: [3, 5, 9], differs: true },
    { key: 'seed', values: [1, 1, 1], differs: false },
  ],
  metrics: [
    { key: 'loss', values: [0.5, 0.2, 0.3], direction: 'lower', directionFrom: 'key', best: [1] },
    { key: 'accuracy', values: [0.9, null, 0.95], direction: 'higher', directionFrom: 'default', best: [2] },
  ],
  series: [],
  ...over,
});

describe('compare link', () => {
  it('reads the run ids of #/compare?runs=, trimmed, without repeats or empties', () => {
    expect(compareIdsFromQuery(new URLSearchParams('runs= a,b,,a ,c'))).toEqual(['a', 'b', 'c']);
    expect(compareIdsFromQuery(new URLSearchParams(''))).toEqual([]);
  });
  it('labels runs by a unique prefix', () => {
    expect(runLabels(['0123456789ab', '01234567zz', 'ffffffffff'])).toEqual(['012345678', '01234567z', 'ffffffff']);
  });
});

describe('parameter highlighting', () => {
  it('marks both values of two differing runs', () => {
    expect(differingCells([40, 42])).toEqual([true, true]);
  });
  it('marks the odd ones out of a sweep, not the common value', () => {
    expect(differingCells([40, 40, 42, 40])).toEqual([false, false, true, false]);
  });
  it('marks nothing when all runs agree, and compares JSON values by content', () => {
    expect(differingCells([{ a: 1 }, { a: 1 }])).toEqual([false, false]);
    expect(differingCells([null, 1, 1])).toEqual([true, false, false]);
  });
});

describe('best per metric row', () => {
  it("marks the runs the server names best (a loss: the lowest; an accuracy: the highest)", () => {
    const [loss, accuracy] = comparison().metrics;
    expect(bestCells(loss!)).toEqual([false, true, false]);
    expect(bestCells(accuracy!)).toEqual([false, false, true]);
  });
});

describe('overlaid metric charts', () => {
  it('draws one chart per task and key with a line per run, x = step, named by the step label', () => {
    const charts = overlayCharts(
      [
        { id: 'a', label: 'run a' },
        { id: 'b', label: 'run b' },
      ],
      new Map([
        ['a', [{ taskId: 'train', key: 'loss', stepLabel: 'epoch', points: [{ step: 1, value: 1 }, { step: 2, value: 0.5 }] }, { taskId: 'evaluate', key: 'accuracy', points: [{ step: 0, value: 0.9 }] }]],
        ['b', [{ taskId: 'train', key: 'loss', stepLabel: 'epoch', points: [{ step: 1, value: 0.8 }, { step: 2, value: 0.3 }, { step: 3, value: 0.2 }] }]],
      ]),
    );
    expect(charts.map((c) => c.id)).toEqual(['train/loss']); // a single final score is the table's
    expect(charts[0]!.stepLabel).toBe('epoch');
    expect(charts[0]!.series.map((s) => [s.label, s.points.length])).toEqual([
      ['run a', 2],
      ['run b', 3],
    ]);
    expect(charts[0]!.series[1]!.points[2]).toEqual({ x: 3, y: 0.2 });
  });
});

describe('parallel coordinates', () => {
  it('scales numbers linearly from min to max, equal values to the middle, missing ones to nothing', () => {
    const axis = axisFor('params.epochs', [10, 20, 30, null]);
    expect(axis.kind).toBe('number');
    expect([10, 20, 30].map((v) => axis.position(v))).toEqual([0, 0.5, 1]);
    expect(axis.position(null)).toBeUndefined();
    expect(axis.ticks.map((t) => t.label)).toEqual(['10', '20', '30']);
    expect(axisFor('x', [7, 7]).position(7)).toBe(0.5);
  });
  it('spreads categories evenly in sorted order', () => {
    const axis = axisFor('params.optimizer', ['sgd', 'adam', 'sgd', 'rmsprop']);
    expect(axis.kind).toBe('category');
    expect(axis.ticks.map((t) => [t.label, t.at])).toEqual([
      ['adam', 0],
      ['rmsprop', 0.5],
      ['sgd', 1],
    ]);
  });
  it('has an axis per varying parameter then the chosen metric, a line per run', () => {
    const { axes, lines } = parallelCoordinates(comparison(), 'loss');
    expect(axes.map((a) => a.key)).toEqual(['params.epochs', 'metrics.loss']);
    expect(lines.map((l) => l.positions)).toEqual([
      [0, 1],
      [(5 - 3) / 6, 0],
      [1, expect.closeTo(1 / 3, 9)],
    ]);
  });
});

describe('metric over runs', () => {
  const run = (id: string, pipelineName: string, createdAt: string, accuracy: unknown): RunListItem =>
    ({ id, pipelineName, createdAt, columns: { 'metrics.accuracy': accuracy } }) as unknown as RunListItem;
  it('one series per pipeline in time order, runs without the value left out', () => {
    const series = metricOverRuns(
      [run('r3', 'iris', '2026-01-03T00:00:00Z', 0.97), run('r1', 'iris', '2026-01-01T00:00:00Z', 0.9), run('r2', 'iris', '2026-01-02T00:00:00Z', null), run('w', 'wine', '2026-01-02T00:00:00Z', 0.8)],
      'metrics.accuracy',
    );
    expect(series.map((s) => [s.label, s.runIds, s.points.map((p) => p.y)])).toEqual([
      ['iris', ['r1', 'r3'], [0.9, 0.97]],
      ['wine', ['w'], [0.8]],
    ]);
  });
});
