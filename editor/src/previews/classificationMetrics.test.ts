import { describe, expect, it } from 'vitest';
import { readClassificationMetrics } from './classificationMetrics';

describe('reading ClassificationMetrics for its viewer', () => {
  it('reads the evaluator’s shape: scores, per-class rows with extra numbers, confusion matrix, curves', () => {
    const v = readClassificationMetrics({
      accuracy: 0.9,
      n: 30,
      macro: { precision: 0.9, recall: 0.9, f1: 0.9, rocAuc: 0.99 },
      perClass: [{ label: 'a', precision: 1, recall: 0.8, f1: 0.89, support: 10, rocAuc: 1, averagePrecision: 0.95 }],
      confusionMatrix: { labels: ['a', 'b'], matrix: [[8, 2], [1, 9]] },
      roc: [{ label: 'a', auc: 1, points: [{ fpr: 0, tpr: 0, threshold: null }, { fpr: 0, tpr: 1, threshold: 0.5 }, { fpr: 1, tpr: 1 }] }],
      pr: [{ label: 'a', averagePrecision: 0.95, points: [{ recall: 0, precision: 1 }, { recall: 1, precision: 0.5 }] }],
    });
    expect(v).toMatchObject({
      accuracy: 0.9,
      n: 30,
      macro: { f1: 0.9, extra: { rocAuc: 0.99 } },
      perClass: [{ label: 'a', support: 10, extra: { rocAuc: 1, averagePrecision: 0.95 } }],
      confusion: { labels: ['a', 'b'], matrix: [[8, 2], [1, 9]] },
    });
    expect(v?.roc).toEqual([{ label: 'a', area: 1, points: [{ x: 0, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 1 }] }]);
    expect(v?.pr).toEqual([{ label: 'a', area: 0.95, points: [{ x: 0, y: 1 }, { x: 1, y: 0.5 }] }]);
  });

  it('tolerates other curve shapes: parallel arrays, curves by label, bare point lists', () => {
    expect(readClassificationMetrics({ accuracy: 1, roc: { fpr: [0, 1], tpr: [0, 1], auc: 0.5 } })?.roc).toEqual([{ label: 'roc', area: 0.5, points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }]);
    expect(readClassificationMetrics({ accuracy: 1, rocCurves: { setosa: [[0, 0], [1, 1]], virginica: { points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] } } })?.roc.map((c) => c.label)).toEqual(['setosa', 'virginica']);
    expect(readClassificationMetrics({ accuracy: 1, precisionRecall: [{ recall: 0, precision: 1 }, { recall: 1, precision: 0 }] })?.pr).toHaveLength(1);
  });

  it('is not fooled by things that are not classification metrics', () => {
    expect(readClassificationMetrics({ loss: 0.1 })).toBeUndefined();
    expect(readClassificationMetrics([1, 2])).toBeUndefined();
    expect(readClassificationMetrics({ accuracy: 1, confusionMatrix: { matrix: [['x']] } })?.confusion).toBeUndefined();
  });
});
