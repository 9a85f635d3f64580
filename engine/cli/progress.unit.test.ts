/**
 * The progress lines of a followed run come from snapshots: each task's transitions show once, in
 * order, whatever order, repetition or gaps the snapshots arrive with.
 */
import { describe, expect, it } from 'vitest';
import type { Execution } from '../contract/index';
import { RunProgress } from './progress';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function execution(taskId: string, status: Execution['status'], startSec: number, endSec: number | null, error: string | null = null): Execution {
  return {
    id: `r1.${taskId}`,
    runId: 'r1',
    taskId,
    componentName: 'c',
    componentDigest: 'd',
    status,
    attempt: 1,
    params: {},
    outputParams: null,
    error,
    cacheKey: null,
    cachedFrom: null,
    startedAt: new Date(T0 + startSec * 1000).toISOString(),
    finishedAt: endSec === null ? null : new Date(T0 + endSec * 1000).toISOString(),
  };
}

const texts = (lines: { text: string }[]): string[] => lines.map((l) => l.text.trim());

describe('RunProgress', () => {
  it('shows each transition of the workflow view once, with the duration and the error', () => {
    const p = new RunProgress('r1');
    expect(texts(p.task('a', { state: 'pending' }))).toEqual([]);
    expect(texts(p.task('a', { state: 'running', startedAt: T0 }))).toEqual(['▶ a running']);
    expect(texts(p.task('a', { state: 'running', startedAt: T0 }))).toEqual([]);
    expect(texts(p.task('a', { state: 'failed', startedAt: T0, finishedAt: T0 + 1500, error: 'disk full' }))).toEqual(['✗ a failed (1.5 s): disk full']);
    // A late, stale snapshot changes nothing once the task is final.
    expect(texts(p.task('a', { state: 'running', startedAt: T0 }))).toEqual([]);
  });

  it('shows the running line of a task first seen finished, but not for cached or skipped tasks', () => {
    const p = new RunProgress('r1');
    expect(texts(p.task('a', { state: 'succeeded', startedAt: T0, finishedAt: T0 + 200 }))).toEqual(['▶ a running', '✓ a succeeded (0.2 s)']);
    expect(texts(p.task('b', { state: 'cached' }))).toEqual(['↺ b cached']);
    expect(texts(p.task('c', { state: 'skipped' }))).toEqual(['– c skipped']);
  });

  it('orders the transitions of a batch of execution records by when they happened', () => {
    const p = new RunProgress('r1');
    p.task('a', { state: 'running', startedAt: T0 });
    const lines = p.executions([execution('join', 'succeeded', 5, 6), execution('b', 'succeeded', 1, 4), execution('a', 'succeeded', 0, 0.8), execution('c', 'skipped', 4.5, 4.5)], true);
    expect(texts(lines)).toEqual(['✓ a succeeded (0.8 s)', '▶ b running', '✓ b succeeded (3.0 s)', '– c skipped', '▶ join running', '✓ join succeeded (1.0 s)']);
  });

  it('takes a failed record as final only once the run has ended (a failed attempt may be retried)', () => {
    const p = new RunProgress('r1');
    p.task('a', { state: 'running', startedAt: T0 });
    expect(texts(p.executions([execution('a', 'failed', 0, 1, 'flaky')], false))).toEqual([]);
    expect(texts(p.executions([execution('a', 'running', 1, null)], false))).toEqual([]);
    expect(texts(p.executions([execution('a', 'failed', 1, 2, 'bad n')], true))).toEqual(['✗ a failed (1.0 s): bad n']);
  });

  it('leaves loop items and nested tasks to their top-level task', () => {
    const p = new RunProgress('r1');
    expect(p.executions([execution('sweep[0]/train', 'succeeded', 0, 1), execution('sub/train', 'succeeded', 0, 1)], true)).toEqual([]);
    expect(texts(p.task('sweep', { state: 'running', items: { total: 4, succeeded: 1, failed: 0, done: 1 } }))).toEqual(['▶ sweep running 1/4 items']);
    expect(texts(p.task('sweep', { state: 'running', items: { total: 4, succeeded: 2, failed: 0, done: 2 } }))).toEqual(['▶ sweep running 2/4 items']);
  });

  it('says how to decide a waiting gate, and a gate that was waiting did not "run"', () => {
    const p = new RunProgress('r1');
    expect(texts(p.task('gate', { state: 'waiting', approval: { message: 'ship it?' } }))).toEqual(['… gate waiting for approval ("ship it?"): npx sluice runs approve r1 gate']);
    expect(texts(p.executions([execution('gate', 'succeeded', 0, 3)], true))).toEqual(['✓ gate succeeded (3.0 s)']);
  });

  it('shows why a task waits for a worker, then its running phase', () => {
    const p = new RunProgress('r1');
    const reason = 'waiting for a gpu worker: none is polling task queue sluice-gpu';
    expect(texts(p.task('fit', { state: 'waiting', waitingFor: { resourceClass: 'gpu', reason } }))).toEqual([`… fit ${reason}`]);
    expect(texts(p.task('fit', { state: 'succeeded', startedAt: T0, finishedAt: T0 + 1000 }))).toEqual(['▶ fit running', '✓ fit succeeded (1.0 s)']);
  });
});
