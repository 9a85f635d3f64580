import { describe, expect, it } from 'vitest';
import { buildRunComparison, finalMetrics, metricDirection, type ComparedRunInput } from './compareRuns';

const run = (id: string, params: ComparedRunInput['params'], metrics: ComparedRunInput['metrics'], digest = 'd1'): ComparedRunInput => ({
  id,
  pipelineName: 'fit',
  pipelineVersionId: `v-${digest}`,
  pipelineDigest: digest,
  status: 'succeeded',
  createdAt: new Date('2030-01-01T00:00:00Z'),
  params,
  metrics,
});

describe('metric direction', () => {
  it('is higher-is-better unless the key reads as a loss or an error, and a request overrides either way', () => {
    expect(metricDirection('accuracy')).toEqual({ direction: 'higher', from: 'default' });
    for (const key of ['loss', 'val_loss', 'logloss', 'mean_squared_error', 'rmse', 'err_rate', 'latency.p50', 'train/loss']) {
      expect(metricDirection(key), key).toEqual({ direction: 'lower', from: 'key' });
    }
    for (const key of ['f1', 'auc', 'glossary_size', 'runtime_ok', 'terror_index']) expect(metricDirection(key).direction, key).toBe('higher');
    expect(metricDirection('loss', { higherIsBetter: ['loss'] })).toEqual({ direction: 'higher', from: 'request' });
    expect(metricDirection('size', { lowerIsBetter: ['size'] })).toEqual({ direction: 'lower', from: 'request' });
  });
});

describe('buildRunComparison', () => {
  const a = run('a', { epochs: 10, lr: 0.1, opt: 'sgd' }, [
    { taskId: 'train', key: 'loss', step: 0, value: 0.9 },
    { taskId: 'train', key: 'loss', step: 1, value: 0.3 },
    { taskId: 'eval', key: 'accuracy', step: 0, value: 0.8 },
  ]);
  const b = run('b', { epochs: 20, lr: 0.1 }, [
    { taskId: 'train', key: 'loss', step: 0, value: 0.5 },
    { taskId: 'eval', key: 'accuracy', step: 0, value: 0.9 },
  ]);
  const c = run('c', { epochs: 20, lr: 0.1 }, [{ taskId: 'eval', key: 'accuracy', step: 0, value: 0.9 }]);

  it('lines up parameters and marks the rows that differ (a missing one differs)', () => {
    const cmp = buildRunComparison([a, b, c]);
    expect(cmp.params).toEqual([
      { key: 'epochs', values: [10, 20, 20], differs: true },
      { key: 'lr', values: [0.1, 0.1, 0.1], differs: false },
      { key: 'opt', values: ['sgd', null, null], differs: true },
    ]);
  });

  it('takes each metric at its last step and marks the best run per row, ties included, by the direction', () => {
    const cmp = buildRunComparison([a, b, c]);
    expect(cmp.metrics).toEqual([
      { key: 'accuracy', values: [0.8, 0.9, 0.9], direction: 'higher', directionFrom: 'default', best: [1, 2] },
      { key: 'loss', values: [0.3, 0.5, null], direction: 'lower', directionFrom: 'key', best: [0] },
    ]);
    // Overridden: loss read as higher-is-better makes b the best.
    expect(buildRunComparison([a, b], { higherIsBetter: ['loss'] }).metrics.find((m) => m.key === 'loss')).toMatchObject({ best: [1], direction: 'higher', directionFrom: 'request' });
  });

  it('marks no best when all values are equal or only one run has the metric', () => {
    const cmp = buildRunComparison([b, c]);
    expect(cmp.metrics.find((m) => m.key === 'accuracy')?.best).toEqual([]);
    expect(cmp.metrics.find((m) => m.key === 'loss')?.best).toEqual([]);
  });

  it('lists metric series per run and task, and says when the runs are of different pipeline versions', () => {
    expect(buildRunComparison([a, b]).series).toEqual([
      { runId: 'a', taskId: 'eval', key: 'accuracy', points: 1 },
      { runId: 'a', taskId: 'train', key: 'loss', points: 2 },
      { runId: 'b', taskId: 'eval', key: 'accuracy', points: 1 },
      { runId: 'b', taskId: 'train', key: 'loss', points: 1 },
    ]);
    expect(buildRunComparison([a, b]).pipelineChanged).toBe(false);
    expect(buildRunComparison([a, run('d', {}, [], 'd2')]).pipelineChanged).toBe(true);
  });

  it('carries each run\'s series with their points, by step, with their step label, only when asked (one request for an overlaid chart)', () => {
    const labelled = run('l', {}, [
      { taskId: 'train', key: 'loss', step: 1, value: 0.3, stepLabel: 'epoch' },
      { taskId: 'train', key: 'loss', step: 0, value: 0.9, stepLabel: 'epoch' },
    ]);
    expect(buildRunComparison([labelled, b]).seriesPoints).toBeUndefined();
    expect(buildRunComparison([labelled, b], {}, true).seriesPoints).toEqual([
      { runId: 'l', series: [{ taskId: 'train', key: 'loss', stepLabel: 'epoch', points: [{ step: 0, value: 0.9 }, { step: 1, value: 0.3 }] }] },
      { runId: 'b', series: [{ taskId: 'train', key: 'loss', points: [{ step: 0, value: 0.5 }] }, { taskId: 'eval', key: 'accuracy', points: [{ step: 0, value: 0.9 }] }] },
    ]);
  });

  it('reads the final value at the highest step whatever the order the points come in', () => {
    expect(finalMetrics([{ taskId: 't', key: 'k', step: 3, value: 1 }, { taskId: 't', key: 'k', step: 1, value: 2 }]).get('k')).toBe(1);
  });
});
