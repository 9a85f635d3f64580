/**
 * Tuning studies (`p.tune`) end to end against a real Temporal dev server and PGlite: suggestions
 * reach the optimum region, parallelism changed mid-study shows in the recorded trial times, the
 * early-stopping rule prunes trials through their heartbeats, bad studies fail with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type ApiClient } from '../../engine/contract/index';
import { waitForRun } from '../../engine/runs/submitRun';
import type { RunningApiServer } from '../../engine/server/index';
import type { TuneTrialRecord } from '../../engine/stores/metadata/MetadataStore';
import * as flows from '../fixtures/tuning';
import { CancelledFailure, Context } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';
import { compile } from '../../dsl/index';
import { workflowBundle } from '../../engine/temporal/worker/workflowBundle';
import { installQuietRuntime } from '../../engine/temporal/worker/startWorkers';
import { studyWorkflowId, type ExecuteTaskResult, type StudyActivities, type StudyTrial, type TuneStudyInput } from '../../engine/temporal/workflows/types';
import { startTestApi } from '../support/apiServer';
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

describe('tuning studies', () => {
  let ts: TestStack;
  let server: RunningApiServer;
  let api: ApiClient;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [flows]);
    server = await startTestApi(ts);
    api = createApiClient({ baseUrl: server.url });
  });
  afterAll(async () => {
    await server?.close();
    await ts?.stop();
  });

  /** The study workflow's recorded history replays against the current code: the same trials after a worker restart. */
  const replaysStudy = async (runId: string, study: string): Promise<void> => {
    installQuietRuntime();
    const workflowId = studyWorkflowId(runId, study);
    const history = await ts.stack.client.workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
  };

  /** Waits until `n` trials of the run have ended. */
  const trialsEnded = async (runId: string, n: number): Promise<void> => {
    for (let i = 0; i < 1200; i++) {
      const done = (await ts.stack.metadata.listTuneTrials(runId)).filter((t) => t.finishedAt !== null);
      if (done.length >= n) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`fewer than ${n} trials of run ${runId} ended`);
  };

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
    await replaysStudy(run.id, 'tune-bowl');
  });

  it("a study's trials Dataset is an artifact of the study's execution, read downstream with one row per trial; a nested pipeline returns its study's outputs", async () => {
    const run = await ts.run(flows.trialsDatasetStudy);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const trials = await ts.stack.metadata.listTuneTrials(run.id, 'tune-bowl');
    expect(trials).toHaveLength(5);
    const outputs = run.outputs as { best: number; rows: number; numbers: number[]; columns: string[]; states: string[]; subBest: number; subX: number; subLoss: number; subRows: number };
    expect(outputs.rows).toBe(5);
    expect(outputs.numbers).toEqual([0, 1, 2, 3, 4]);
    expect(outputs.states).toEqual(trials.map((t) => t.state));
    expect(outputs.columns).toEqual(['number', 'state', 'x', 'y', 'value', 'prunedStep', 'reason', 'durationMs']);
    // The artifact hangs off the study's own execution (task path of the study), as its output.
    const execs = await ts.stack.metadata.listExecutions(run.id);
    const studyExec = execs.find((e) => e.taskId === 'tune-bowl');
    expect(studyExec?.status).toBe('succeeded');
    const events = await ts.stack.metadata.listEvents({ executionId: studyExec?.id ?? '' });
    const produced = events.find((e) => e.kind === 'output' && e.port === 'trialsDataset');
    expect(produced).toBeDefined();
    const artifact = await ts.stack.metadata.getArtifact(produced?.artifactId ?? '');
    expect(artifact).toMatchObject({ type: 'Dataset', name: 'tune-bowl.trialsDataset' });
    // The downstream task read that very artifact.
    const reader = execs.find((e) => e.taskId === 'read-direct');
    const read = await ts.stack.metadata.listEvents({ executionId: reader?.id ?? '' });
    expect(read.find((e) => e.kind === 'input' && e.port === 'trials')?.artifactId).toBe(artifact?.id);
    // The nested pipeline's outputs are its study's own: the best value and parameter reach the run.
    const subTrials = await ts.stack.metadata.listTuneTrials(run.id, 'sub/tune-bowl');
    expect(subTrials).toHaveLength(4);
    const subBest = Math.min(...subTrials.map((t) => t.value ?? Infinity));
    expect(outputs.subBest).toBe(subBest);
    expect(outputs.subLoss).toBe(subBest);
    expect(subTrials.find((t) => t.value === subBest)?.params.x).toBe(outputs.subX);
    expect(outputs.subRows).toBe(4);
    await replaysStudy(run.id, 'tune-bowl');
  });

  it("a loop's outputs that are its studies' own outputs reach collect(): each item's best value and trials Dataset", async () => {
    const run = await ts.run(flows.studyPerItem);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const outputs = run.outputs as { bests: number[]; rows: number[] };
    const bestOf = async (item: number): Promise<number> => Math.min(...(await ts.stack.metadata.listTuneTrials(run.id, `items[${item}]/tune-bowl`)).map((t) => t.value ?? Infinity));
    expect(outputs.bests).toEqual([await bestOf(0), await bestOf(1)]);
    expect(outputs.rows).toEqual([2, 2]);
  });

  it('a grid study over a finite grid finds the optimum region', async () => {
    const run = await ts.run(flows.gridStudy);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect((run.outputs as { best: number }).best).toBeLessThanOrEqual(1);
  });

  it('parallelTrials raised through the API while the study runs: trials before it never overlap, trials after it do', async () => {
    const submitted = await ts.start(flows.slowStudy);
    await trialsEnded(submitted.runId, 2);
    const changed = await api.controlStudy({ params: { runId: submitted.runId }, body: { parallelTrials: 4 } });
    expect(changed.study).toBe('tune-bowl');
    expect(changed.control).toEqual({ parallelTrials: 4, maxTrials: 10, stopRequested: false });
    const before = changed.trials.filter((t) => t.finishedAt !== null || t.state === 'running').length;
    // A change the study cannot take is refused with the reason, and changes nothing.
    const refused = await api.controlStudy({ params: { runId: submitted.runId }, body: { maxTrials: 1 } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(409);
    expect((refused as ApiError).message).toMatch(/maxTrials 1 is below the \d+ trials already started/);
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const trials = await ts.stack.metadata.listTuneTrials(submitted.runId);
    expect(trials).toHaveLength(10);
    expect(maxOverlap(trials.slice(0, before).map(span))).toBe(1);
    expect(maxOverlap(trials.slice(before).map(span))).toBeGreaterThanOrEqual(2);
    const { studies } = await api.getRunStudies({ params: { runId: submitted.runId } });
    expect(studies).toHaveLength(1);
    expect(studies[0]?.control).toBeNull();
    expect(studies[0]?.best?.value).toBe(Math.min(...trials.map((t) => t.value ?? Infinity)));
    // With the update in it, the history still replays (the update is recorded; its handler is deterministic).
    await replaysStudy(submitted.runId, 'tune-bowl');
  });

  it('stopped early through the API: no new trials, running ones cancelled, the best so far is the result', async () => {
    const submitted = await ts.start(flows.slowStudy);
    await trialsEnded(submitted.runId, 2);
    const stopped = await api.controlStudy({ params: { runId: submitted.runId }, body: { stop: true } });
    expect(stopped.control?.stopRequested).toBe(true);
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const trials = await ts.stack.metadata.listTuneTrials(submitted.runId);
    expect(trials.length).toBeLessThan(10);
    expect(trials.every((t) => t.state === 'succeeded' || (t.state === 'cancelled' && t.reason === 'the study was stopped'))).toBe(true);
    const best = Math.min(...trials.filter((t) => t.state === 'succeeded').map((t) => t.value ?? Infinity));
    expect((run.outputs as { best: number }).best).toBe(best);
    // The study has ended: changing it now is refused.
    const late = await api.controlStudy({ params: { runId: submitted.runId }, body: { parallelTrials: 2 } }).catch((e: unknown) => e);
    expect((late as ApiError).status).toBe(409);
    const missing = await api.controlStudy({ params: { runId: submitted.runId }, body: { study: 'nope', stop: true } }).catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(404);
  });

  it('a run cancelled while its study runs: the study ends with it, no trial is left running', async () => {
    const submitted = await ts.start(flows.slowStudy);
    await trialsEnded(submitted.runId, 1);
    await submitted.handle.cancel();
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status).toBe('cancelled');
    const trials = await ts.stack.metadata.listTuneTrials(submitted.runId);
    expect(trials.some((t) => t.state === 'cancelled' && t.reason === 'the run was cancelled')).toBe(true);
    expect(trials.filter((t) => t.state === 'running')).toEqual([]);
  });

  /**
   * The race between a trial ending and the early-stopping rule's cancellation, at the workflow
   * level with activities that decide who wins: trial 0 completes without ever seeing the
   * cancellation (it does not heartbeat), trial 1 heartbeats and stops on it. Optuna's semantics: a
   * trial that completed is complete (its value counts, the best may be it); one that was stopped is
   * pruned, at the rule's step.
   */
  it('a trial that completes before the stop reaches it is recorded succeeded; one the stop reaches is pruned', async () => {
    const queue = `race-${Date.now()}`;
    const spec = compile(flows.prunedStudy).spec;
    const node = spec.dag.tasks['tune-curve'] as TuneStudyInput['task'];
    const task: TuneStudyInput['task'] = { ...node, timeout: { heartbeatMs: 1000 }, tune: { ...node.tune, maxTrials: 2, parallelTrials: 2 } };
    const rows = new Map<number, StudyTrial>();
    let judged: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (judged = resolve));
    const studyActs: StudyActivities = {
      suggestTrials: ({ count }) => Promise.resolve(Array.from({ length: count }, (_, i) => ({ start: 100, tag: rows.size + i }))),
      recordTrials: ({ trials }) => {
        for (const t of trials) rows.set(t.number, t);
        return Promise.resolve();
      },
      finishTrial: ({ trial }) => {
        rows.set(trial.number, { ...trial, state: 'succeeded', value: 7 + trial.number });
        return Promise.resolve({ state: 'succeeded', value: 7 + trial.number });
      },
      judgeTrials: ({ running }) => {
        judged();
        return Promise.resolve(running.map((number) => ({ number, step: 3, reason: 'worse than the median' })));
      },
      writeTrialsDataset: ({ study }) => Promise.resolve({ kind: 'artifact', artifactId: `${study}.trialsDataset`, type: 'Dataset', uri: 'file:///trials.json', sha256: '0'.repeat(64) }),
    };
    const executeTask = async ({ taskId }: { taskId: string }): Promise<ExecuteTaskResult> => {
      const ctx = Context.current();
      // Alive until the rule has judged (the stop cannot reach a trial before it is decided).
      const beat = setInterval(() => ctx.heartbeat(), 200);
      await stopped.finally(() => clearInterval(beat));
      const result = { executionId: `x-${taskId}`, outputs: { final: { kind: 'parameter' as const, value: 1 } } };
      if (taskId.endsWith('[0]')) return result; // done before any heartbeat could bring the stop
      while (!ctx.cancellationSignal.aborted) {
        ctx.heartbeat();
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new CancelledFailure('stopped');
    };
    const connection = await NativeConnection.connect({ address: ts.stack.temporalAddress });
    const control = await Worker.create({ connection, taskQueue: queue, workflowBundle: await workflowBundle(), activities: studyActs });
    const cpu = await Worker.create({ connection, taskQueue: `${queue}-cpu`, activities: { executeTask } });
    const input: TuneStudyInput = { runId: queue, taskQueuePrefix: queue, cache: false, studyPath: 'tune-curve', component: spec.components[node.component]!, task, inputs: {} };
    const workflowId = studyWorkflowId(queue, 'tune-curve');
    try {
      const outputs: Record<string, { value?: unknown }> = await control.runUntil(
        cpu.runUntil(ts.stack.client.workflow.execute<(i: TuneStudyInput) => Promise<Record<string, { value?: unknown }>>>('tuneStudy', { taskQueue: queue, workflowId, args: [input] })),
      );
      expect(rows.get(0)).toMatchObject({ state: 'succeeded', value: 7 });
      expect(rows.get(1)).toMatchObject({ state: 'pruned', prunedStep: 3, reason: 'worse than the median' });
      expect(outputs.bestTrial?.value).toBe(0);
      expect(outputs.trialsDataset).toMatchObject({ kind: 'artifact', type: 'Dataset' });
    } finally {
      await connection.close();
    }
    await replaysStudy(queue, 'tune-curve');
  });

  it('the median rule stops trials that stay clearly worse: pruned at the step with their last value, or (when they finished first) complete', async () => {
    const run = await ts.run(flows.prunedStudy);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const trials = await ts.stack.metadata.listTuneTrials(run.id);
    // Whether the stop or the trial's end comes first depends on heartbeat timing: both outcomes are
    // recorded as the rule's stop, and only ever for the trials that are clearly worse.
    const finishedFirst = (t: TuneTrialRecord): boolean => t.state === 'succeeded' && /finished before the early-stopping rule's stop at step \d+/.test(t.reason ?? '');
    const stopped = trials.filter((t) => t.state === 'pruned' || finishedFirst(t));
    expect(stopped.length).toBeGreaterThan(0);
    for (const t of stopped) expect(t.params.start).toBe(100);
    for (const t of trials.filter((t) => t.state === 'pruned')) {
      // Checked from the recorded steps: stopped after the warm-up step, before its last epoch, and
      // its value is its last intermediate value.
      const steps = (await ts.stack.metadata.listMetrics({ executionId: t.executionId })).filter((m) => m.key === 'loss').sort((a, b) => a.step - b.step);
      expect(t.prunedStep).toBeGreaterThanOrEqual(1);
      expect(steps.length).toBeGreaterThan(t.prunedStep ?? 0);
      expect(steps.length).toBeLessThan(16);
      expect(t.value).toBe(steps.at(-1)?.value);
      expect(t.reason).toBeTruthy();
    }
    expect((run.outputs as { best: number }).best).toBeLessThan(1);
  });

  it('a study whose trials report no metric at all fails, naming the metric', async () => {
    const run = await ts.run(flows.silentStudy);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/no trial reports the objective metric "accuracy": the first 2 completed trials reported no metric at all/);
    const trials = await ts.stack.metadata.listTuneTrials(run.id);
    expect(trials.map((t) => t.state)).toEqual(['failed', 'failed']);
  });

  it('an objective metric no trial reports fails the study after its first 3 completed trials, naming the study, the metric and what they reported', async () => {
    const run = await ts.run(flows.misnamedObjectiveStudy);
    expect(run.status).toBe('failed');
    const study = Object.keys(compile(flows.misnamedObjectiveStudy).spec.dag.tasks)[0]!;
    expect(run.error).toContain(`study "${study}": no trial reports the objective metric "accuracy": the first 3 completed trials reported only "acc", "loss"`);
    const trials = await ts.stack.metadata.listTuneTrials(run.id);
    // Not the 40 of maxTrials: the 3 that decided it, and at most the 2 running beside them, which
    // are cancelled or (when they end before the cancellation reaches them) failed the same way.
    expect(trials.length).toBeLessThanOrEqual(5);
    expect(trials.filter((t) => t.state === 'failed').length).toBeGreaterThanOrEqual(3);
    expect(trials.every((t) => t.state === 'failed' || t.state === 'cancelled')).toBe(true);
    expect(trials.find((t) => t.state === 'failed')?.reason).toMatch(/no metric "accuracy".*only "acc", "loss"/);
    await replaysStudy(run.id, study);
  });

  it('more failed trials than maxFailedTrials fail the study', async () => {
    const run = await ts.run(flows.failingStudy);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/more than maxFailedTrials \(1\).*told to fail/s);
  });
});
