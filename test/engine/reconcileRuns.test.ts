/**
 * The run reconciler (issue 11): a run row left open while its workflow closed in Temporal gets
 * the workflow's real outcome — at start-up, periodically, and on demand when someone cancels or
 * retries the run. Real Temporal dev server, PGlite and HTTP API; rows are left open the ways it
 * happens for real: a workflow terminated with the Temporal client (no bookkeeping runs), and a
 * workflow whose bookkeeping went to another run's row (so its own row never hears of its end).
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, type AnyPipeline } from '../../dsl/index';
import { pipelineDigest } from '../../dsl/ir/index';
import { planRetry } from '../../engine/runs/retryRun';
import { reconcileRuns, startRunReconciler, type ReconcileSummary } from '../../engine/runs/reconcileRuns';
import type { RunningApiServer } from '../../engine/server/index';
import type { MetadataStore, RunRecord } from '../../engine/stores/metadata/MetadataStore';
import { workflowIdFor, type PipelineRunInput } from '../../engine/temporal/workflows/types';
import * as controlFlow from '../fixtures/controlFlow';
import { quickWithExit } from '../fixtures/cancelRace';
import { startTestApi } from '../support/apiServer';
import { startTestStack, type TestStack } from '../support/stackHarness';

let ts: TestStack;
let api: RunningApiServer;
let seq = 0;

beforeAll(async () => {
  // No reconciler of the stack's own: each test runs passes itself, so it can see the row open first.
  ts = await startTestStack('pglite', [controlFlow, { quickWithExit }], { reconcile: false });
  api = await startTestApi(ts);
}, 120_000);

afterAll(async () => {
  await api?.close();
  await ts?.stop();
});

const deps = (): { client: TestStack['stack']['client']; metadata: MetadataStore } => ({ client: ts.stack.client, metadata: ts.stack.metadata });
const row = async (runId: string): Promise<RunRecord> => {
  const r = await ts.stack.metadata.getRun(runId);
  if (!r) throw new Error(`no row for run ${runId}`);
  return r;
};
const closed = async (handle: WorkflowHandle): Promise<void> => {
  await handle.result().catch((e: unknown) => {
    if (!(e instanceof WorkflowFailedError)) throw e;
  });
};
async function post(url: string, body: unknown = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${url}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/**
 * A long run, terminated with the Temporal client once it runs: its row stays `running` (checked
 * unless a reconciler is already running, which may record the outcome at once).
 */
async function terminatedRun(reason: string, checkOpen = true): Promise<string> {
  const submitted = await ts.start(controlFlow.cancellableWithExit);
  await expect.poll(async () => (await row(submitted.runId)).status, { timeout: 60_000 }).toBe('running');
  await submitted.handle.terminate(reason);
  await closed(submitted.handle);
  if (checkOpen) expect((await row(submitted.runId)).status).toBe('running'); // what the reconciler is for
  return submitted.runId;
}

/**
 * A run whose workflow ran to its end while its row heard nothing: the workflow's bookkeeping
 * names a second (decoy) row. Returns the run whose row stays pending.
 */
async function unrecordedRun(p: AnyPipeline): Promise<string> {
  const { spec } = compile(p);
  ts.stack.registry.addModule({ p });
  const version = await ts.stack.metadata.registerPipelineVersion(spec, pipelineDigest(spec));
  const [runId, decoy] = [`stale${++seq}${Date.now()}`, `decoy${seq}${Date.now()}`];
  for (const id of [runId, decoy]) {
    await ts.stack.metadata.createRun({ id, pipelineVersionId: version.id, params: {}, trigger: { kind: 'test' }, workflowId: workflowIdFor(id) });
  }
  const input: PipelineRunInput = { runId: decoy, spec, params: {}, taskQueuePrefix: ts.stack.taskQueuePrefix };
  const handle = await ts.stack.client.workflow.start('pipelineRun', { taskQueue: ts.stack.taskQueuePrefix, workflowId: workflowIdFor(runId), args: [input] });
  await closed(handle);
  expect((await row(runId)).status).toBe('pending');
  return runId;
}

const onePass = (): Promise<ReconcileSummary> => reconcileRuns(deps());

describe('run reconciler', () => {
  it('records a terminated workflow as cancelled, with the reason; the run can then be retried', async () => {
    const runId = await terminatedRun('operator pulled the plug');
    const summary = await onePass();
    expect(summary.repaired).toContainEqual({ runId, workflowStatus: 'TERMINATED', status: 'cancelled' });
    const fixed = await row(runId);
    expect(fixed.status).toBe('cancelled');
    expect(fixed.error).toContain('terminated: operator pulled the plug');
    expect(fixed.finishedAt).toBeInstanceOf(Date);
    await expect(planRetry(ts.stack.metadata, runId)).resolves.toMatchObject({ old: { id: runId } });
  });

  it("records a completed workflow as succeeded, with the workflow's outputs", async () => {
    const runId = await unrecordedRun(quickWithExit);
    await onePass();
    expect(await row(runId)).toMatchObject({ status: 'succeeded', outputs: { y: 16 }, error: null });
  });

  it('records a failed workflow as failed, naming the failed task', async () => {
    const runId = await unrecordedRun(controlFlow.failingWithExit);
    await onePass();
    expect(await row(runId)).toMatchObject({ status: 'failed', failedTask: 'explode' });
    expect((await row(runId)).error).toContain('task "explode" failed');
  });

  it('leaves running runs, finished rows and rows without a workflow alone', async () => {
    const live = await ts.start(controlFlow.cancellableWithExit);
    await expect.poll(async () => (await row(live.runId)).status, { timeout: 60_000 }).toBe('running');
    const finished = await ts.run(quickWithExit);
    const { spec } = compile(quickWithExit);
    const version = await ts.stack.metadata.registerPipelineVersion(spec, pipelineDigest(spec));
    const orphan = `orphan${Date.now()}`;
    await ts.stack.metadata.createRun({ id: orphan, pipelineVersionId: version.id, params: {}, trigger: { kind: 'test' }, workflowId: workflowIdFor(orphan) });
    // A run logged through the MLflow API has no workflow by design: not a missing one.
    const logged = `mlflow${Date.now()}`;
    await ts.stack.metadata.createRun({ id: logged, pipelineVersionId: version.id, params: {}, trigger: { kind: 'mlflow' }, workflowId: `mlflow-${logged}` });

    const summary = await onePass();
    expect(summary.repaired.map((r) => r.runId)).not.toContain(live.runId);
    expect(summary.missing).toContain(orphan);
    expect(summary.missing).not.toContain(logged);
    expect((await row(live.runId)).status).toBe('running');
    expect(await row(finished.id)).toEqual(finished);
    expect((await row(orphan)).status).toBe('pending');
    await live.handle.cancel();
    await closed(live.handle);
    expect((await row(live.runId)).status).toBe('cancelled');
  });

  it('runs at start and then periodically, one pass at a time', async () => {
    // Counts listRuns calls in flight: a pass lists sequentially, so two at once mean overlapping passes.
    let inFlight = 0;
    let most = 0;
    const metadata = new Proxy(ts.stack.metadata, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'listRuns' || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          most = Math.max(most, ++inFlight);
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            inFlight--;
          }
        };
      },
    });
    const runId = await terminatedRun('periodic');
    const reconciler = startRunReconciler({ client: ts.stack.client, metadata, intervalMs: 50 });
    try {
      await Promise.all([reconciler.runNow(), reconciler.runNow(), reconciler.runNow()]);
      expect((await row(runId)).status).toBe('cancelled'); // the start-up pass or the next
      const later = await terminatedRun('periodic, later', false); // the timer may record it at once
      await expect.poll(async () => (await row(later)).status, { timeout: 30_000 }).toBe('cancelled'); // no runNow: the timer
    } finally {
      await reconciler.stop();
    }
    expect(most).toBe(1);
  });
});

describe('cancel and retry through the API after the workflow closed unrecorded', () => {
  it('a cancel answers 409 with the real outcome (recorded first); a retry then starts', async () => {
    const runId = await terminatedRun('stopped by hand');
    const cancel = await post(`/api/runs/${runId}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.json.detail).toBe(`run ${runId} already cancelled; there is nothing to cancel`);
    expect((await row(runId)).status).toBe('cancelled');
    const retry = await post(`/api/runs/${runId}/retry`);
    expect(retry.status).toBe(201);
    const next = (retry.json.run as RunRecord).id;
    const handle = ts.stack.client.workflow.getHandle(workflowIdFor(next));
    await handle.cancel();
    await closed(handle);
  });

  it('a second cancel of a cancelled run answers 409, and a retry of an unrecorded run starts', async () => {
    const submitted = await ts.start(controlFlow.cancellableWithExit);
    const first = await post(`/api/runs/${submitted.runId}/cancel`);
    expect(first.status).toBe(202);
    await closed(submitted.handle);
    const second = await post(`/api/runs/${submitted.runId}/cancel`);
    expect(second.status).toBe(409);
    expect(second.json.detail).toContain('already cancelled');

    const unrecorded = await unrecordedRun(controlFlow.failingWithExit);
    const retry = await post(`/api/runs/${unrecorded}/retry`);
    expect(retry.status).toBe(201);
    expect((await row(unrecorded)).status).toBe('failed');
    await closed(ts.stack.client.workflow.getHandle(workflowIdFor((retry.json.run as RunRecord).id)));
  });
});
