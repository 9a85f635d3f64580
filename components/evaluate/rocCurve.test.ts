import { describe, expect, it } from 'vitest';
import { precisionRecallCurve } from './precisionRecallCurve';
import { rocCurve } from './rocCurve';

// Hand-computed: 3 positives, 3 negatives. Ranked: + − + + − −.
const scores = [0.6, 0.9, 0.5, 0.8, 0.7, 0.55];
const positive = [true, true, false, false, true, false];

describe('rocCurve', () => {
  it('walks the thresholds from the top and integrates exactly: 7/9 (7 of 9 positive–negative pairs ranked right)', () => {
    const roc = rocCurve(scores, positive);
    expect(roc.points).toEqual([
      { fpr: 0, tpr: 0, threshold: null },
      { fpr: 0, tpr: 1 / 3, threshold: 0.9 },
      { fpr: 1 / 3, tpr: 1 / 3, threshold: 0.8 },
      { fpr: 1 / 3, tpr: 2 / 3, threshold: 0.7 },
      { fpr: 1 / 3, tpr: 1, threshold: 0.6 },
      { fpr: 2 / 3, tpr: 1, threshold: 0.55 },
      { fpr: 1, tpr: 1, threshold: 0.5 },
    ]);
    expect(roc.auc).toBeCloseTo(7 / 9, 12);
  });

  it('counts a tie half: one diagonal step', () => {
    expect(rocCurve([0.5, 0.5], [true, false])).toEqual({
      points: [
        { fpr: 0, tpr: 0, threshold: null },
        { fpr: 1, tpr: 1, threshold: 0.5 },
      ],
      auc: 0.5,
    });
    // Perfect and inverted rankings.
    expect(rocCurve([0.9, 0.1], [true, false]).auc).toBe(1);
    expect(rocCurve([0.1, 0.9], [true, false]).auc).toBe(0);
  });

  it('has no AUC without both positives and negatives', () => {
    expect(rocCurve([0.2, 0.4], [false, false]).auc).toBeNull();
    expect(rocCurve([0.2, 0.4], [true, true]).auc).toBeNull();
  });
});

describe('precisionRecallCurve', () => {
  it('gives the step-wise average precision of the hand-computed case: 1/3·1 + 1/3·2/3 + 1/3·3/4 = 29/36', () => {
    const pr = precisionRecallCurve(scores, positive);
    expect(pr.points.map((p) => [p.recall, p.precision])).toEqual([
      [0, 1],
      [1 / 3, 1],
      [1 / 3, 1 / 2],
      [2 / 3, 2 / 3],
      [1, 3 / 4],
      [1, 3 / 5],
      [1, 1 / 2],
    ]);
    expect(pr.averagePrecision).toBeCloseTo(29 / 36, 12);
    expect(precisionRecallCurve([0.3], [false]).averagePrecision).toBeNull();
  });
});
