/**
 * The rollout gates' arithmetic on real Prometheus text: the model server's own prom-client
 * registry is filled, exposed, parsed back (servingSnapshot), and two scrapes judged (judgeWindow):
 * error rate and p99 from the window's deltas for the candidate version only, the sample floor,
 * and a counter reset (a restarted model server) inside the window.
 */
import { describe, expect, it } from 'vitest';
import { createServingMetrics } from '../../engine/serving/metrics';
import { servingSnapshot } from '../../engine/temporal/activities/index';
import { histogramQuantile, judgeWindow, observeWindow } from '../../engine/temporal/workflows/rolloutGates';
import type { RolloutPlan } from '../../engine/temporal/workflows/types';

const plan: RolloutPlan = { mode: 'canary', steps: [10, 100], intervalMs: 60_000, maxErrorRate: 0.01, maxP99Ms: 50, minRequests: 100, maxHolds: 3 };

function served(requests: { version: string; code: number; seconds: number; model?: string }[], metrics = createServingMetrics()) {
  for (const r of requests) {
    const labels = { model: r.model ?? 'iris', version: r.version };
    metrics.requests.inc({ ...labels, code: String(r.code) });
    if (r.code >= 400) metrics.errors.inc({ ...labels, code: String(r.code) });
    metrics.latency.observe(labels, r.seconds);
  }
  return metrics;
}
const many = (n: number, r: { version: string; code: number; seconds: number; model?: string }) => Array.from({ length: n }, () => r);

describe('rollout gates', () => {
  it('reads only the candidate version of the model from the exposition', async () => {
    const m = served([...many(7, { version: '2', code: 200, seconds: 0.003 }), ...many(2, { version: '2', code: 503, seconds: 0.001 }), ...many(5, { version: '1', code: 200, seconds: 0.3 }), ...many(4, { version: '2', code: 200, seconds: 1, model: 'other' })]);
    m.shadow.inc({ model: 'iris', baseline: '1', candidate: '2', result: 'agree' }, 3);
    const snap = servingSnapshot(await m.registry.metrics(), 'iris', 2);
    expect(snap).toMatchObject({ requests: 9, errors: 2, shadow: { agree: 3, disagree: 0, error: 0 } });
    expect(snap.buckets.find((b) => b.le === 0.001)?.count).toBe(2);
    expect(snap.buckets.find((b) => b.le === 0.005)?.count).toBe(9);
    expect(snap.buckets.at(-1)).toEqual({ le: null, count: 9 });
  });

  it('passes a window within the gates, fails on the error rate or the p99, holds below the sample floor', async () => {
    const m = createServingMetrics();
    served(many(50, { version: '2', code: 500, seconds: 0.001 }), m); // before the window: not counted
    const before = servingSnapshot(await m.registry.metrics(), 'iris', 2);
    served(many(199, { version: '2', code: 200, seconds: 0.004 }), m);
    served([{ version: '2', code: 500, seconds: 0.004 }], m);
    const after = servingSnapshot(await m.registry.metrics(), 'iris', 2);
    const pass = judgeWindow(before, after, plan);
    expect(pass).toMatchObject({ kind: 'pass', figures: { requests: 200, errors: 1, errorRate: 0.005, p99Ms: 5 } });
    expect(judgeWindow(before, after, { ...plan, maxErrorRate: 0.001 })).toMatchObject({ kind: 'fail', reason: 'error rate 0.5% (1 of 200) > 0.1%' });
    expect(judgeWindow(before, after, { ...plan, maxP99Ms: 2 })).toMatchObject({ kind: 'fail', reason: 'p99 latency in the histogram bucket up to 5 ms, above the 2 ms limit' });
    expect(judgeWindow(before, after, { ...plan, minRequests: 201 })).toMatchObject({ kind: 'hold', figures: { requests: 200 } });
  });

  it('judges the p99 from snapshots as the workflow receives them: through JSON, where +Inf cannot travel as Infinity', async () => {
    // Temporal's payload converter is JSON: an Infinity bound arrived as null, sorted first, and
    // every window's p99 read as unknown, so the latency gate never failed (seen in a live rollout).
    const viaJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
    const m = createServingMetrics();
    const before = viaJson(servingSnapshot(await m.registry.metrics(), 'iris', 2));
    served(many(200, { version: '2', code: 200, seconds: 0.004 }), m);
    const after = viaJson(servingSnapshot(await m.registry.metrics(), 'iris', 2));
    expect(judgeWindow(before, after, plan)).toMatchObject({ kind: 'pass', figures: { p99Ms: 5 } });
    expect(judgeWindow(before, after, { ...plan, maxP99Ms: 2 })).toMatchObject({ kind: 'fail', reason: 'p99 latency in the histogram bucket up to 5 ms, above the 2 ms limit' });
    served(many(200, { version: '2', code: 200, seconds: 30 }), m);
    const slow = viaJson(servingSnapshot(await m.registry.metrics(), 'iris', 2));
    expect(judgeWindow(after, slow, plan)).toMatchObject({ kind: 'fail', reason: "p99 latency above the histogram's largest bound > 50 ms" });
  });

  it('takes the p99 from the bucket holding the 99th percentile, and a reset counter as a fresh start', () => {
    const buckets = [
      { le: 0.005, count: 98 },
      { le: 0.05, count: 99 },
      { le: 0.5, count: 100 },
      { le: Infinity, count: 100 },
    ];
    expect(histogramQuantile(buckets, 0.99)).toBe(0.05);
    expect(histogramQuantile(buckets, 0.5)).toBe(0.005);
    expect(histogramQuantile([], 0.99)).toBeNull();
    const shadow = { agree: 0, disagree: 0, error: 0 };
    const before = { requests: 1000, errors: 0, buckets: [{ le: Infinity, count: 1000 }], shadow };
    const after = { requests: 150, errors: 150, buckets: [{ le: 0.005, count: 150 }, { le: Infinity, count: 150 }], shadow };
    expect(judgeWindow(before, after, plan)).toMatchObject({ kind: 'fail', figures: { requests: 150, errors: 150, errorRate: 1 } });
    expect(observeWindow({ ...before, shadow: { agree: 5, disagree: 0, error: 0 } }, { ...before, requests: 1010, shadow: { agree: 13, disagree: 2, error: 0 } }, 1000)).toMatchObject({ mirrored: 10, agree: 8, agreement: 0.8 });
  });
});
