/**
 * A nested pipeline as a study's trial (`p.tune(pipeline, …)`) against a real Temporal dev server
 * and PGlite: each trial is a child pipeline run whose inputs get the suggested values, the named
 * inner task's metrics are the objective, a pruned trial's inner task is cancelled, the best
 * trial's outputs (its Model) are the study's, and a bad objective task is refused at submission.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type ApiClient } from '../../engine/contract/index';
import type { RunningApiServer } from '../../engine/server/index';
import type { TuneTrialRecord } from '../../engine/stores/metadata/MetadataStore';
import { Worker } from '@temporalio/worker';
import { compile } from '../../dsl/index';
import type { TaskSpec } from '../../dsl/ir/index';
import { workflowBundle } from '../../engine/temporal/worker/workflowBundle';
import { installQuietRuntime } from '../../engine/temporal/worker/startWorkers';
import { executionIdFor, studyWorkflowId } from '../../engine/temporal/workflows/types';
import * as flows from '../fixtures/pipelineTrial';
import { startTestApi } from '../support/apiServer';
import { startTestStack, type TestStack } from '../support/stackHarness';

describe('a nested pipeline as the trial', () => {
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

  const replaysStudy = async (runId: string, study: string): Promise<void> => {
    installQuietRuntime();
    const workflowId = studyWorkflowId(runId, study);
    const history = await ts.stack.client.workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
  };

  it("reaches the optimum region; each trial's inner tasks run under the study with the suggested inputs; the best trial's Model is the study's", async () => {
    const run = await ts.run(flows.pipelineTrialStudy);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const trials = await ts.stack.metadata.listTuneTrials(run.id);
    expect(trials).toHaveLength(12);
    expect(trials.every((t) => t.state === 'succeeded' && t.study === 'tune-bowl-trial')).toBe(true);
    const executions = await ts.stack.metadata.listExecutions(run.id);
    for (const t of trials) {
      const { x, y } = t.params as { x: number; y: number };
      expect(t.value).toBe((x - 3) ** 2 + (y - 1) ** 2);
      // The trial's row points at its objective task's execution, inside the trial's child pipeline.
      expect(t.executionId).toBe(executionIdFor(run.id, `tune-bowl-trial[${t.number}]/score`));
      const prepared = executions.find((e) => e.taskId === `tune-bowl-trial[${t.number}]/prepare`);
      expect(prepared?.status).toBe('succeeded');
      expect(prepared?.params).toMatchObject({ x, y });
      expect(executions.find((e) => e.id === t.executionId)?.status).toBe('succeeded');
    }
    const best = Math.min(...trials.map((t) => t.value ?? Infinity));
    expect(best).toBeLessThanOrEqual(1);
    const outputs = run.outputs as { best: number; x: number; y: number; loss: number; point: { x: number; y: number } };
    expect(outputs.best).toBe(best);
    expect(outputs.loss).toBe(best);
    // The Model read downstream is the best trial's: the point it scored.
    expect(outputs.point).toEqual({ x: outputs.x, y: outputs.y });
    expect((outputs.x - 3) ** 2 + (outputs.y - 1) ** 2).toBe(best);
    await replaysStudy(run.id, 'tune-bowl-trial');
  });

  it("the median rule prunes trials that stay clearly worse: the trial is pruned at a recorded step and its inner task cancelled", async () => {
    const run = await ts.run(flows.prunedPipelineStudy);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const trials = await ts.stack.metadata.listTuneTrials(run.id);
    const finishedFirst = (t: TuneTrialRecord): boolean => t.state === 'succeeded' && /finished before the early-stopping rule's stop/.test(t.reason ?? '');
    const stopped = trials.filter((t) => t.state === 'pruned' || finishedFirst(t));
    expect(stopped.length).toBeGreaterThan(0);
    for (const t of stopped) expect(t.params.x).toBe(13);
    const pruned = trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) {
      const steps = (await ts.stack.metadata.listMetrics({ executionId: t.executionId })).filter((m) => m.key === 'loss').sort((a, b) => a.step - b.step);
      expect(t.prunedStep).toBeGreaterThanOrEqual(1);
      expect(steps.length).toBeGreaterThan(t.prunedStep ?? 0);
      expect(steps.length).toBeLessThan(16);
      expect(t.value).toBe(steps.at(-1)?.value);
      // The inner task stopped through its heartbeat: its execution is recorded cancelled.
      expect((await ts.stack.metadata.getExecution(t.executionId))?.status).toBe('cancelled');
    }
    expect((run.outputs as { best: number }).best).toBeLessThan(1);
    await replaysStudy(run.id, 'tune-bowl-trial');
  });

  it('a study whose objective task reports no such metric fails, naming the task and the metric', async () => {
    const run = await ts.run(flows.unreportedPipelineStudy);
    expect(run.status).toBe('failed');
    // It fails after the first completed trials (patch study-objective-missing), naming the task.
    expect(run.error).toMatch(/no trial reports the objective metric "accuracy" \(task "score" of each trial\)/);
    const trials = await ts.stack.metadata.listTuneTrials(run.id);
    expect(trials.map((t) => t.state)).toEqual(['failed', 'failed']);
  });

  it('an objective task the trial pipeline lacks is refused at submission, naming the study and the task', async () => {
    const spec = structuredClone(compile(flows.pipelineTrialStudy).spec);
    const study = spec.dag.tasks['tune-bowl-trial'] as TaskSpec;
    if (!study.tune) throw new Error('no study');
    study.tune.objective.task = 'evaluate';
    const e = await api.submitRun({ body: { spec } }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    expect(err.status).toBe(422);
    expect(err.message).toMatch(/tune-bowl-trial/);
    expect(err.message).toMatch(/objective's task "evaluate" is not a task of the nested pipeline "bowl-trial"/);
  });
});
