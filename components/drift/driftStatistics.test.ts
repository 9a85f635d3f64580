import { describe, expect, it } from 'vitest';
import { binCounts, kolmogorovSurvival, ksStatistic, ksTwoSample, populationStabilityIndex, psiFromCounts, quantile, quantileEdges } from './driftStatistics';

/** The alternating series summed plainly with many terms: slow for small λ, but a fair reference. */
const series = (lambda: number): number => {
  let s = 0;
  for (let k = 1; k <= 2000; k++) s += (k % 2 === 1 ? 2 : -2) * Math.exp(-2 * k * k * lambda * lambda);
  return s;
};

describe('PSI', () => {
  it('bins at reference quantiles (type 7), lower edge open, upper edge closed', () => {
    const ref = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(ref, 0.5)).toBe(5.5);
    expect(quantile(ref, 0.25)).toBe(3.25);
    expect(quantileEdges(ref, 2)).toEqual([5.5]);
    expect(quantileEdges([1, 1, 1, 1, 2], 4)).toEqual([1]); // repeated edges collapse
    expect(binCounts([0, 1, 1.5, 2, 9], [1, 2])).toEqual([2, 2, 1]);
  });

  it('matches a hand computation, and is 0 for the same distribution', () => {
    // Reference halves 5/5; current 2/6 → (0.25 − 0.5)·ln(0.5) + (0.75 − 0.5)·ln(1.5) = 0.274653…
    const ref = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(populationStabilityIndex(ref, [1, 2, 6, 7, 8, 9, 10, 10], { bins: 2 })).toBeCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), 12);
    expect(populationStabilityIndex(ref, ref)).toBe(0);
  });

  it('uses epsilon for an empty bin so the index stays finite', () => {
    // (1e-4 − 0.5)·ln(1e-4 / 0.5) + (1 − 0.5)·ln(1 / 0.5)
    expect(psiFromCounts([5, 5], [0, 8])).toBeCloseTo((1e-4 - 0.5) * Math.log(1e-4 / 0.5) + 0.5 * Math.log(2), 12);
    expect(psiFromCounts([5, 5], [0, 8], 0.01)).toBeCloseTo((0.01 - 0.5) * Math.log(0.02) + 0.5 * Math.log(2), 12);
  });
});

describe('Kolmogorov–Smirnov', () => {
  it('measures D as the largest CDF gap, with ties stepping together', () => {
    expect(ksStatistic([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])).toBe(1);
    expect(ksStatistic([1, 2, 2, 3], [2, 3, 3, 4])).toBe(0.5);
    expect(ksStatistic([3, 1, 2], [2, 3, 1])).toBe(0);
  });

  it('gives the Kolmogorov distribution\'s tabulated values', () => {
    expect(kolmogorovSurvival(1)).toBeCloseTo(0.2699996717, 9); // K(1) = 0.7300003283
    expect(kolmogorovSurvival(1.2239)).toBeCloseTo(0.1, 4); // the 10 %, 5 % and 1 % critical values
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 4);
    expect(kolmogorovSurvival(1.6276)).toBeCloseTo(0.01, 4);
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(0.1)).toBe(1);
    expect(kolmogorovSurvival(5)).toBeLessThan(1e-20);
  });

  it('agrees between its two series on both sides of where it switches', () => {
    for (const lambda of [0.4, 0.8, 1.1, 1.17, 1.18, 1.19, 1.5, 2]) expect(kolmogorovSurvival(lambda)).toBeCloseTo(series(lambda), 12);
  });

  it('gives the asymptotic p-value of a hand case', () => {
    // D = 1, n = m = 5: λ = √(25/10) = √2.5, so p = 2(e^−5 − e^−20 + …) = 0.0134759 (R: ks.test(exact = FALSE)).
    const r = ksTwoSample([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeCloseTo(2 * (Math.exp(-5) - Math.exp(-20)), 12);
    expect(r.pValue).toBeCloseTo(0.0134759, 7);
    expect(() => ksTwoSample([], [1])).toThrow(/needs values in both samples/);
  });
});
