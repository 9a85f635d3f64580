// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RolloutPanel } from './RolloutPanel';

/** The API as the panel reads it: a canary that is running at step 2, then promoted. */
const server = vi.hoisted(() => {
  const t = '2030-01-01T00:00:00.000Z';
  const state = { reads: 0 };
  const rollout = (over: Record<string, unknown>) => ({
    id: 'iris-1',
    model: 'iris',
    mode: 'canary',
    baselineVersion: 1,
    candidateVersion: 2,
    weight: 50,
    step: 1,
    state: 'running',
    plan: { steps: [10, 50, 100], intervalMs: 300000 },
    reason: null,
    workflowId: 'rollout-iris-1',
    createdBy: 'alice',
    createdAt: t,
    updatedAt: t,
    finishedAt: null,
    ...over,
  });
  const figures = { requests: 240, errors: 1, errorRate: 1 / 240, p99Ms: 5, maxErrorRate: 0.01, maxP99Ms: 50, minRequests: 100, windowMs: 300000 };
  const decision = (id: number, step: number, weight: number, action: string, reason: string, f: Record<string, unknown> = {}) => ({ id, rolloutId: 'iris-1', step, weight, action, figures: f, reason, createdAt: t });
  const json = (body: unknown) => ({ status: 200, ok: true, text: () => Promise.resolve(JSON.stringify(body)) });
  globalThis.fetch = ((url: string) => {
    if (url !== '/api/models/iris/rollouts') return Promise.resolve({ status: 404, ok: false, text: () => Promise.resolve('{}') });
    state.reads++;
    const decisions = [decision(1, 0, 10, 'weight', 'step 1 of 3: 10% to the candidate'), decision(2, 0, 10, 'pass', 'error rate 0.42% ≤ 1%', figures), decision(3, 1, 50, 'weight', 'step 2 of 3: 50% to the candidate')];
    if (state.reads === 1) return Promise.resolve(json({ rollouts: [{ rollout: rollout({}), decisions }] }));
    return Promise.resolve(json({ rollouts: [{ rollout: rollout({ state: 'rolled-back', weight: 0, reason: 'error rate 12% > 1%' }), decisions: [...decisions, decision(4, 1, 0, 'rollback', 'error rate 12% > 1%', { ...figures, errors: 29, errorRate: 0.12 })] }] }));
  }) as unknown as typeof fetch;
  return state;
});

afterEach(cleanup);

describe('the rollout panel', () => {
  it('shows a running rollout live (weight, step, decisions with their figures) and says when it ended', async () => {
    const onEnded = vi.fn();
    render(<RolloutPanel model="iris" onEnded={onEnded} />);
    expect((await screen.findByTestId('rollout-summary')).textContent).toMatch(/^canary v1 → v2 · running · candidate weight 50% · step 2 of 3 \(10, 50, 100%, every 300 s\)/);
    const rows = [...screen.getByTestId('rollout-decisions').querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent));
    expect(rows[1]).toEqual(['1', '10%', 'pass', 'error rate 0.42% ≤ 1%', '240 requests · 1 errors (0.42%) · p99 ≤ 5 ms · gates: ≤ 1%, ≤ 50 ms, ≥ 100 requests']);
    await waitFor(() => expect(screen.getByTestId('rollout-state').textContent).toBe('rolled-back'), { timeout: 10_000 });
    expect(screen.getByTestId('rollout-summary').textContent).toContain('error rate 12% > 1%');
    expect(screen.getByTestId('rollout-decisions').querySelectorAll('tbody tr')).toHaveLength(4);
    expect(onEnded).toHaveBeenCalledTimes(1);
    // Ended: no more reads.
    const reads = server.reads;
    await new Promise((r) => setTimeout(r, 2500));
    expect(server.reads).toBe(reads);
  });
});
