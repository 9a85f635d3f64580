/**
 * The engine end to end, against a real Temporal dev server, on PGlite and on PostgreSQL:
 * concurrency, failure and cancellation of siblings, refusal of bad IR and parameters.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { component, NonRetryableError, pipeline, PipelineValidationError, t } from '../../dsl/index';
import { compile } from '../../dsl/index';
import { RunParamsError } from '../../engine/runs/runParams';
import { submitRun } from '../../engine/runs/submitRun';
import { workflowIdFor } from '../../engine/temporal/workflows/types';
import * as diamond from '../fixtures/diamond';
import { backends, startTestStack, type TestStack } from '../support/stackHarness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const failFast = component({
  name: 'fail-fast',
  inputs: { after: t.int({ default: 100 }) },
  outputs: { never: t.int() },
  retry: { maxAttempts: 1 },
  run: async ({ after }) => {
    await sleep(after);
    throw new NonRetryableError('the input file has 3 columns, expected 4');
  },
});

const slow = component({
  name: 'slow',
  inputs: { ms: t.int() },
  outputs: { done: t.bool() },
  timeout: { heartbeat: '2s' },
  run: async ({ ms }, ctx) => {
    const until = Date.now() + ms;
    while (Date.now() < until && !ctx.signal.aborted) await sleep(50);
    return { done: !ctx.signal.aborted };
  },
});

const failing = pipeline({ name: 'failing' }, (p) => {
  const s = p.task(slow, { ms: 20_000 });
  p.task(failFast, { after: 500 });
  return { done: s.outputs.done };
});

/** Fails its first attempt in each run, as a dropped connection would. */
const flaky = component({
  name: 'flaky',
  outputs: { attempts: t.int() },
  retry: { maxAttempts: 3, initialInterval: '100ms' },
  run: (_inputs, ctx) => {
    if (ctx.attempt < 2) throw new Error('transient: connection reset');
    return { attempts: ctx.attempt };
  },
});

describe.each(backends())('pipelineRun on %s', (backend) => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack(backend, [diamond]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('runs the two middle tasks of a diamond concurrently', async () => {
    const run = await ts.run(diamond.default, { n: 4 });
    expect(run.status).toBe('succeeded');
    const execs = await ts.stack.metadata.listExecutions(run.id);
    expect(execs.map((e) => e.taskId).sort()).toEqual(['join', 'left', 'right', 'source']);
    const left = execs.find((e) => e.taskId === 'left');
    const right = execs.find((e) => e.taskId === 'right');
    const src = execs.find((e) => e.taskId === 'source');
    const join = execs.find((e) => e.taskId === 'join');
    if (!left?.finishedAt || !right?.finishedAt || !src?.finishedAt || !join?.finishedAt) throw new Error('missing executions');
    // Recorded intervals overlap: each started before the other finished.
    expect(left.startedAt.getTime()).toBeLessThan(right.finishedAt.getTime());
    expect(right.startedAt.getTime()).toBeLessThan(left.finishedAt.getTime());
    // And the edges were respected.
    expect(src.finishedAt.getTime()).toBeLessThanOrEqual(left.startedAt.getTime());
    expect(join.startedAt.getTime()).toBeGreaterThanOrEqual(Math.max(left.finishedAt.getTime(), right.finishedAt.getTime()));
    expect(join.outputParams).toEqual({ sum: 6 + 12 });
    // Output artifacts are stored and linked to the run.
    const artifacts = await ts.stack.metadata.listRunArtifacts(run.id);
    expect(artifacts.map((a) => `${a.taskId}.${a.port}:${a.type}`).sort()).toEqual(['join.report:Markdown', 'source.data:Dataset']);
    expect(run.outputs).toEqual({ report: `${run.id}.join.report` });
  });

  it('fails the run naming the failing task and its error, and cancels the running sibling', async () => {
    const run = await ts.run(failing);
    expect(run.status).toBe('failed');
    expect(run.failedTask).toBe('fail-fast');
    expect(run.error).toContain('task "fail-fast" failed: the input file has 3 columns, expected 4');
    const execs = await ts.stack.metadata.listExecutions(run.id);
    const failed = execs.find((e) => e.taskId === 'fail-fast');
    expect(failed?.status).toBe('failed');
    expect(failed?.attempt).toBe(1); // non-retryable: no second attempt
    // The 20 s sibling was cancelled, not waited for (waited for, its row would say succeeded).
    await expect.poll(async () => (await ts.stack.metadata.getExecution(`${run.id}.slow`))?.status, { timeout: 30_000 }).toBe('cancelled');
  });

  it('retries a transient failure and records one execution row with the last attempt', async () => {
    const run = await ts.run(pipeline({ name: 'flaky' }, (p) => ({ n: p.task(flaky, {}).outputs.attempts })));
    expect(run.status).toBe('succeeded');
    const execs = await ts.stack.metadata.listExecutions(run.id);
    expect(execs).toHaveLength(1);
    expect(execs[0]?.attempt).toBe(2);
    expect(execs[0]?.outputParams).toEqual({ attempts: 2 });
  });

  it('refuses an invalid IR before writing any run row', async () => {
    const before = (await ts.stack.metadata.listRuns()).length;
    const spec = structuredClone(compile(diamond.default).spec);
    const join = spec.dag.tasks.join;
    if (!join || !('component' in join)) throw new Error('fixture changed');
    join.inputs.a = { task: 'source', output: 'data' }; // a Dataset into an int
    delete join.inputs.b;
    await expect(
      submitRun({ client: ts.stack.client, metadata: ts.stack.metadata, spec, taskQueuePrefix: ts.stack.taskQueuePrefix }),
    ).rejects.toSatisfy((e: unknown) => {
      if (!(e instanceof PipelineValidationError)) return false;
      const codes = e.issues.map((i) => `${i.code}:${i.task}.${i.port}`).sort();
      return codes.join(',') === 'missing-input:join.b,type-mismatch:join.a';
    });
    expect((await ts.stack.metadata.listRuns()).length).toBe(before);
  });

  it('refuses unknown parameters and values of the wrong type before anything starts', async () => {
    const before = (await ts.stack.metadata.listRuns()).length;
    const spec = compile(diamond.default).spec;
    const attempt = (params: Record<string, unknown>) =>
      submitRun({ client: ts.stack.client, metadata: ts.stack.metadata, spec, params, taskQueuePrefix: ts.stack.taskQueuePrefix });
    await expect(attempt({ nn: 3 })).rejects.toThrow(/unknown parameter "nn"; this pipeline takes: n \(int\)/);
    await expect(attempt({ n: 'three' })).rejects.toThrow(RunParamsError);
    await expect(attempt({ n: 2.5 })).rejects.toThrow(/parameter "n" \(int\): expected an integer, got the number 2.5/);
    expect((await ts.stack.metadata.listRuns()).length).toBe(before);
  });

  it('fails at once, without retrying, when the workflow itself is given an invalid IR', async () => {
    const runId = `bad${Date.now()}`;
    const handle = await ts.stack.client.workflow.start('pipelineRun', {
      taskQueue: ts.stack.taskQueuePrefix,
      workflowId: workflowIdFor(runId),
      args: [{ runId, spec: { apiVersion: 'sluice/v1', name: 'broken' }, params: {}, taskQueuePrefix: ts.stack.taskQueuePrefix }],
      workflowTaskTimeout: '5s',
    });
    const t0 = Date.now();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const desc = await handle.describe();
    expect(desc.status.name).toBe('FAILED');
  });
});
