/**
 * Tuning studies (`p.tune`) end to end against a real Temporal dev server and PGlite: suggestions
 * reach the optimum region, parallelism changed mid-study shows in the recorded trial times, the
 * early-stopping rule prunes trials through their heartbeats, bad studies fail with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRun } from '../../engine/runs/submitRun';
import type { TuneTrialRecord } from '../../engine/stores/metadata/MetadataStore';
import { judgeTrial } from '../../engine/tuning/index';
import { studyWorkflowId, type StudyView } from '../../engine/temporal/workflows/types';
import { tuneControlUpdate } from '../../engine/temporal/workflows/study';
import * as flows from '../fixtures/tuning';
import { startTestStack, type TestStack } from '../support/stackHarness';

/** Largest number of intervals open at the same instant. */
function maxOverlap(intervals: { start: number; end: number }[]): number {
  const points = intervals.flatMap((i) => [
    { t: i.start, d: 1 },
    { t: i.end, d: -1 },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let max = 0;
  for (const p of points) {
    open += p.d;
    max = Math.max(max, open);
  }
  return max;
}
const span = (t: TuneTrialRecord) => ({ start: t.startedAt.getTime(), end: (t.finishedAt ?? t.startedAt).getTime() });

/** engine/tuning's median rule, once it stops anything (its first scaffold never did). */
const medianRuleStops = judgeTrial({
  rule: { rule: 'median', startupTrials: 1 },
  objective: { metric: 'loss', goal: 'minimize' },
  trial: { number: 2, params: {}, state: 'running', intermediate: [{ step: 0, value: 100 }, { step: 1, value: 100 }] },
  others: [0, 1].map((n) => ({ number: n, params: {}, state: 'succeeded' as const, value: 1, intermediate: [{ step: 0, value: 1 }, { step: 1, value: 1 }] })),
}).stop;

describe('tuning studies', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [flows]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('a random study reaches the optimum region; trials, best parameters and the best trial outputs are recorded', async () => {
    const run = await ts.run(flows.randomStudy);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const trials = await ts.stack.metadata.listTuneTrials(run.id);
    expect(trials).toHaveLength(20);
    expect(trials.every((t) => t.state === 'succeeded' && t.study === 'tune-bowl')).toBe(true);
    const best = Math.min(...trials.map((t) => t.value ?? Infinity));
    expect(best).toBeLessThanOrEqual(1);
    const outputs = run.outputs as { best: number; params: { x: number; y: number }; x: number; loss: number };
    expect(outputs.best).toBe(best);
    expect(outputs.loss).toBe(best);
    expect((outputs.params.x - 3) ** 2 + (outputs.params.y - 1) ** 2).toBe(best);
    expect(outputs.x).toBe(outputs.params.x);
    // Each trial is an execution of its own, with the suggested values as its parameters.
    const execs = await ts.stack.metadata.listExecutions(run.id);
    const first = execs.find((e) => e.taskId === 'tune-bowl[0]');
    expect(first?.params).toMatchObject(trials[0]?.params ?? {});
  });

  it('a grid study over a finite grid finds the optimum region', async () => {
    const run = await ts.run(flows.gridStudy);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect((run.outputs as { best: number }).best).toBeLessThanOrEqual(1);
  });

  it('parallelTrials raised while the study runs: trials before it never overlap, trials after it do', async () => {
    const submitted = await ts.start(flows.slowStudy);
    const study = ts.stack.client.workflow.getHandle(studyWorkflowId(submitted.runId, 'tune-bowl'));
    // Wait until two trials have finished at parallelism 1.
    for (let i = 0; i < 600; i++) {
      const done = (await ts.stack.metadata.listTuneTrials(submitted.runId)).filter((t) => t.finishedAt !== null);
      if (done.length >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const changed: StudyView = await study.executeUpdate(tuneControlUpdate, { args: [{ parallelTrials: 4 }] });
    expect(changed.parallelTrials).toBe(4);
    const before = changed.trials.length;
    await expect(study.executeUpdate(tuneControlUpdate, { args: [{ parallelTrials: 0 }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/parallelTrials must be a whole number/) as unknown } });
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const trials = await ts.stack.metadata.listTuneTrials(submitted.runId);
    expect(trials).toHaveLength(10);
    expect(maxOverlap(trials.slice(0, before).map(span))).toBe(1);
    expect(maxOverlap(trials.slice(before).map(span))).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(!medianRuleStops)('the median rule prunes trials that stay clearly worse, recorded as pruned with the step', async () => {
    const run = await ts.run(flows.prunedStudy);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const trials = await ts.stack.metadata.listTuneTrials(run.id);
    const pruned = trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) {
      expect(t.params.start).toBe(100);
      expect(t.prunedStep).toBeGreaterThanOrEqual(1);
      expect(t.reason).toBeTruthy();
    }
    expect((run.outputs as { best: number }).best).toBeLessThan(1);
  });

  it('a study whose trials report no objective metric fails, naming the metric', async () => {
    const run = await ts.run(flows.silentStudy);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/no trial succeeded.*no metric "accuracy"/s);
    const trials = await ts.stack.metadata.listTuneTrials(run.id);
    expect(trials.map((t) => t.state)).toEqual(['failed', 'failed']);
  });

  it('more failed trials than maxFailedTrials fail the study', async () => {
    const run = await ts.run(flows.failingStudy);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/more than maxFailedTrials \(1\).*told to fail/s);
  });
});
