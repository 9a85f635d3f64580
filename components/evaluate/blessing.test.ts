import { describe, expect, it } from 'vitest';
import { bless, blessingReport } from './blessing';
import { classificationMetrics } from './classificationMetrics';

describe('bless', () => {
  it('blesses a candidate that reaches the minimum and the baseline minus the threshold', () => {
    expect(bless('accuracy', 0.95, 0.93, 0, 0.9).blessed).toBe(true);
    expect(bless('accuracy', 0.92, 0.93, 0.02, 0.9).blessed).toBe(true); // within the threshold
    expect(bless('accuracy', 0.95, null, 0, 0.9).blessed).toBe(true); // no baseline: the minimum alone
  });

  it('refuses one below the baseline, below the minimum, or not improving enough when the threshold is negative', () => {
    const worse = bless('accuracy', 0.9, 0.93, 0.01, 0);
    expect(worse.blessed).toBe(false);
    expect(worse.checks.map((c) => c.passed)).toEqual([true, false]);
    expect(worse.checks[1]!.rule).toBe('candidate accuracy 0.9000 ≥ baseline 0.9300 − threshold 0.0100 = 0.9200');
    expect(bless('macroF1', 0.85, 0.5, 0, 0.9).blessed).toBe(false);
    expect(bless('rocAuc', 0.94, 0.93, -0.02, 0).blessed).toBe(false);
  });

  it('explains the decision in Markdown, with both models and the confusion matrix', () => {
    const cand = classificationMetrics(['a', 'b', 'b'], ['a', 'b', 'a'], ['a', 'b']);
    const base = classificationMetrics(['a', 'b', 'b'], ['b', 'b', 'a'], ['a', 'b']);
    const md = blessingReport(bless('accuracy', cand.accuracy, base.accuracy, 0, 0.5), cand, base, 'test.json');
    expect(md).toContain('# ✅ Blessed');
    expect(md).toContain('- ✅ candidate accuracy 0.6667 ≥ baseline 0.3333 − threshold 0.0000 = 0.3333');
    expect(md).toContain('| accuracy | 0.6667 | 0.3333 |');
    expect(md).toContain('| **b** | 1 | 1 |');
  });
});
