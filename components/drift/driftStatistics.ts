/**
 * Two measures of how far a feature's distribution moved between a reference sample (training
 * data) and a current one (new data):
 *
 * - Population stability index (PSI): bins from the reference quantiles, then
 *   Σ (cur% − ref%) · ln(cur% / ref%). An effect size: < 0.1 stable, 0.1–0.2 moderate, > 0.2 large
 *   (the usual rule of thumb). It does not account for sample size, so small samples read high.
 * - Two-sample Kolmogorov–Smirnov: D = the largest gap between the two empirical CDFs, and its
 *   p-value from the asymptotic Kolmogorov distribution, Q(√(n·m/(n+m)) · D) (as R's
 *   `ks.test(exact = FALSE)` computes it). A significance test: it does account for sample size.
 */

/** The p-quantile of sorted values, linear between order statistics (R type 7, numpy's default). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('quantile of no values');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const ascending = (a: number, b: number): number => a - b;

/**
 * Interior bin edges at the reference's 1/bins, 2/bins, … quantiles; repeated edges (many equal
 * values) collapse, so there may be fewer bins than asked. Bin i is (edge[i−1], edge[i]].
 */
export function quantileEdges(reference: readonly number[], bins: number): number[] {
  const sorted = [...reference].sort(ascending);
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = quantile(sorted, i / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  return edges;
}

/** How many values fall in each bin: edges.length + 1 bins, (−∞, e0], (e0, e1], …, (e_last, ∞). */
export function binCounts(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    // First edge ≥ v (binary search): v belongs to that bin.
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]!++;
  }
  return counts;
}

export interface PsiOptions {
  /** Bins from the reference quantiles (default 10). */
  bins?: number;
  /** Stand-in share for an empty bin, so the logarithm stays finite (default 1e-4). */
  epsilon?: number;
}

/** PSI of binned shares: Σ (c − r) · ln(c / r), empty shares replaced by epsilon. */
export function psiFromCounts(reference: readonly number[], current: readonly number[], epsilon = 1e-4): number {
  const nr = reference.reduce((a, b) => a + b, 0);
  const nc = current.reduce((a, b) => a + b, 0);
  let psi = 0;
  reference.forEach((count, i) => {
    const r = Math.max(count / nr, epsilon);
    const c = Math.max(current[i]! / nc, epsilon);
    psi += (c - r) * Math.log(c / r);
  });
  return psi;
}

/** Population stability index of `current` against `reference`, binned at reference quantiles. */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[], options: PsiOptions = {}): number {
  const edges = quantileEdges(reference, options.bins ?? 10);
  return psiFromCounts(binCounts(reference, edges), binCounts(current, edges), options.epsilon);
}

/** D: the largest gap between the empirical CDFs of two samples (ties handled: CDFs step together). */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  const x = [...a].sort(ascending);
  const y = [...b].sort(ascending);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/**
 * The Kolmogorov distribution's survival function Q(λ) = P(K > λ). Large λ: the alternating
 * series 2 Σ (−1)^(k−1) e^(−2k²λ²); small λ, where that series converges slowly: the
 * Jacobi-theta form of the CDF, K(λ) = (√(2π)/λ) Σ e^(−(2k−1)²π²/(8λ²)).
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    let sum = 0;
    for (let k = 1; k <= 100; k++) {
      const term = Math.exp(-((2 * k - 1) ** 2) * Math.PI ** 2 / (8 * lambda * lambda));
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum));
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

export interface KsResult {
  statistic: number;
  pValue: number;
}

/** Two-sample Kolmogorov–Smirnov test, two-sided, asymptotic p-value. */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  if (a.length === 0 || b.length === 0) throw new Error('the Kolmogorov–Smirnov test needs values in both samples');
  const statistic = ksStatistic(a, b);
  const effective = (a.length * b.length) / (a.length + b.length);
  return { statistic, pValue: kolmogorovSurvival(Math.sqrt(effective) * statistic) };
}
