/**
 * A rollout window's gates, judged from two scrapes of the model server's own metrics (the
 * candidate version's series): the error rate is Δerrors / Δrequests, the p99 is the upper bound of
 * the latency histogram bucket where the window's cumulative bucket deltas reach 99% of its count.
 * Pure, so the workflow can judge deterministically from its activities' recorded results.
 */
import type { GateFigures, RolloutPlan, ServingSnapshot } from './types';

export type WindowVerdict = { kind: 'pass' | 'fail' | 'hold'; reason: string; figures: GateFigures };

/** after − before, or after alone when a counter went down (the model server restarted inside the window). */
function delta(before: ServingSnapshot, after: ServingSnapshot): ServingSnapshot {
  const restarted = after.requests < before.requests || after.errors < before.errors;
  if (restarted) return after;
  const prior = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    requests: after.requests - before.requests,
    errors: after.errors - before.errors,
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (prior.get(b.le) ?? 0) })),
    shadow: {
      agree: after.shadow.agree - before.shadow.agree,
      disagree: after.shadow.disagree - before.shadow.disagree,
      error: after.shadow.error - before.shadow.error,
    },
  };
}

/** A shadow or A/B window's figures (no gates): the candidate's traffic, errors, p99 and, in shadow mode, agreement. */
export function observeWindow(before: ServingSnapshot, after: ServingSnapshot, windowMs: number): Record<string, number | null> {
  const d = delta(before, after);
  const p99 = histogramQuantile(d.buckets, 0.99);
  const mirrored = d.shadow.agree + d.shadow.disagree + d.shadow.error;
  return {
    requests: d.requests,
    errors: d.errors,
    errorRate: d.requests > 0 ? d.errors / d.requests : null,
    p99Ms: p99 === null || !Number.isFinite(p99) ? null : Number((p99 * 1000).toFixed(3)),
    mirrored,
    agree: d.shadow.agree,
    disagree: d.shadow.disagree,
    mirrorErrors: d.shadow.error,
    agreement: mirrored > 0 ? d.shadow.agree / mirrored : null,
    windowMs,
  };
}

/** Upper bound (seconds) of the bucket holding the quantile; null with no observations. */
export function histogramQuantile(buckets: ServingSnapshot['buckets'], q: number): number | null {
  // A null bound is +Inf (see ServingSnapshot): last, and Infinity when the quantile is there.
  const sorted = buckets.map((b) => ({ le: b.le ?? Infinity, count: b.count })).sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = Math.ceil(q * total);
  return sorted.find((b) => b.count >= rank)?.le ?? null;
}

const percent = (x: number): string => `${Number((x * 100).toFixed(2))}%`;

export function judgeWindow(before: ServingSnapshot, after: ServingSnapshot, plan: RolloutPlan): WindowVerdict {
  const d = delta(before, after);
  const p99 = histogramQuantile(d.buckets, 0.99);
  const figures: GateFigures = {
    requests: d.requests,
    errors: d.errors,
    errorRate: d.requests > 0 ? d.errors / d.requests : null,
    p99Ms: p99 === null || !Number.isFinite(p99) ? null : Number((p99 * 1000).toFixed(3)),
    maxErrorRate: plan.maxErrorRate,
    maxP99Ms: plan.maxP99Ms,
    minRequests: plan.minRequests,
    windowMs: plan.intervalMs,
  };
  if (d.requests < plan.minRequests) {
    return { kind: 'hold', reason: `only ${d.requests} candidate requests in the window (at least ${plan.minRequests} are needed to judge)`, figures };
  }
  const rate = figures.errorRate ?? 0;
  if (rate > plan.maxErrorRate) return { kind: 'fail', reason: `error rate ${percent(rate)} (${d.errors} of ${d.requests}) > ${percent(plan.maxErrorRate)}`, figures };
  if (p99 !== null && !Number.isFinite(p99)) return { kind: 'fail', reason: `p99 latency above the histogram's largest bound > ${plan.maxP99Ms} ms`, figures };
  if (figures.p99Ms !== null && figures.p99Ms > plan.maxP99Ms) return { kind: 'fail', reason: `p99 latency in the histogram bucket up to ${figures.p99Ms} ms, above the ${plan.maxP99Ms} ms limit`, figures };
  return { kind: 'pass', reason: `error rate ${percent(rate)} ≤ ${percent(plan.maxErrorRate)}, p99 ≤ ${figures.p99Ms ?? '—'} ms (limit ${plan.maxP99Ms} ms) over ${d.requests} requests`, figures };
}
