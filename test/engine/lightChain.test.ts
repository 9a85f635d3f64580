/**
 * Chains of light steps on real Temporal and PGlite (issue 17): consecutive light steps run as ONE
 * local activity (`executeLightChain`, patch `light-chain-fusion`), LIGHT_CHAIN_MAX_STEPS at a
 * time, each step with its own execution row, logs and metrics. Conditions, caching, retries and
 * failures behave as for light steps run one by one. What a killed worker does to a fused chain
 * is in test/durability (real processes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRun } from '../../engine/runs/submitRun';
import type { RunRecord } from '../../engine/stores/metadata/MetadataStore';
import { LIGHT_CHAIN_MAX_STEPS } from '../../engine/temporal/workflows/scope';
import * as fx from '../fixtures/lightChain';
import { markersPerWorkflowTask } from '../support/localActivityMarkers';
import { startTestStack, type TestStack } from '../support/stackHarness';

describe('a chain of light steps', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [fx]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  /** Runs `p`, and returns the run with its history's local activity markers per workflow task and each task's component runs in it. */
  async function run(p: Parameters<TestStack['start']>[0], params: Record<string, unknown>): Promise<{ run: RunRecord; markers: number[]; runs: Record<string, number> }> {
    const before = new Map(fx.runsOf);
    const submitted = await ts.start(p, params);
    const record = await waitForRun(ts.stack.metadata, submitted);
    const history = await ts.stack.client.workflow.getHandle(submitted.workflowId).fetchHistory();
    const runs: Record<string, number> = {};
    for (const [task, n] of fx.runsOf) if (n !== (before.get(task) ?? 0)) runs[task] = n - (before.get(task) ?? 0);
    return { run: record, markers: markersPerWorkflowTask(history.events ?? []), runs };
  }

  it('runs a long chain as one local activity per LIGHT_CHAIN_MAX_STEPS steps, each step recorded as its own execution', async () => {
    const n = LIGHT_CHAIN_MAX_STEPS + 10;
    const { run: r, markers, runs } = await run(fx.lightChain(n), { x: 0 });
    expect(r.status, r.error ?? '').toBe('succeeded');
    expect(r.outputs).toEqual({ y: n });
    // Two fused local activities, each in a workflow task of its own (a full chain ends its task).
    expect(markers.reduce((a, b) => a + b, 0), `markers per workflow task: ${markers.join(', ')}`).toBe(2);
    expect(Math.max(...markers)).toBe(1);

    const ids = Array.from({ length: n }, (_, i) => `s${i + 1}`);
    expect(runs).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    const executions = await ts.stack.metadata.listExecutions(r.id);
    expect(executions.map((e) => e.taskId).sort()).toEqual([...ids].sort());
    for (const e of executions) {
      expect(e.status, e.taskId).toBe('succeeded');
      expect(e.attempt, e.taskId).toBe(1);
      expect(e.params, e.taskId).toEqual({ x: Number(e.taskId.slice(1)) - 1 });
      expect(e.outputParams, e.taskId).toEqual({ y: Number(e.taskId.slice(1)) });
    }
    // Each step's metric and log line, under its own execution.
    const metrics = await ts.stack.metadata.listMetrics({ runId: r.id });
    expect(new Set(metrics.map((m) => m.executionId))).toEqual(new Set(executions.map((e) => e.id)));
    const logs = await ts.stack.metadata.listTaskLogs({ runId: r.id });
    for (const e of executions) expect(logs.filter((l) => l.executionId === e.id).map((l) => l.message), e.taskId).toContain(`x=${Number(e.taskId.slice(1)) - 1}`);
  });

  it('answers a cached step from the cache inside the chain, without running it', async () => {
    const first = await run(fx.lightChain(5, 'light-chain-cache'), { x: 100 });
    expect(first.run.status, first.run.error ?? '').toBe('succeeded');
    const second = await run(fx.lightChain(5, 'light-chain-cache'), { x: 100 });
    expect(second.run.status, second.run.error ?? '').toBe('succeeded');
    expect(second.run.outputs).toEqual({ y: 105 });
    expect(second.runs).toEqual({});
    const executions = await ts.stack.metadata.listExecutions(second.run.id);
    expect(executions.map((e) => e.status)).toEqual(Array(5).fill('cached'));
  });

  it('retries a step that fails inside the chain by its own retry policy, and runs the steps after it once', async () => {
    const { run: r, runs } = await run(fx.flakyChain, { x: 1000 });
    expect(r.status, r.error ?? '').toBe('succeeded');
    expect(r.outputs).toEqual({ y: 1006 });
    expect(runs).toEqual({ s1: 1, s2: 1, s3: 2, s4: 1, s5: 1, s6: 1 });
    const attempts = Object.fromEntries((await ts.stack.metadata.listExecutions(r.id)).map((e) => [e.taskId, e.attempt]));
    expect(attempts).toEqual({ s1: 1, s2: 1, s3: 2, s4: 1, s5: 1, s6: 1 });
  });

  it('stops at a step that fails for good: the run fails on that task, its attempts are its policy’s, later steps never run', async () => {
    const { run: r, runs } = await run(fx.brokenChain, { x: 2000 });
    expect(r.status).toBe('failed');
    expect(r.failedTask).toBe('s3');
    expect(r.error).toContain('broken at x=2002');
    expect(runs).toEqual({ s1: 1, s2: 1, s3: 2 });
    const executions = await ts.stack.metadata.listExecutions(r.id);
    expect(Object.fromEntries(executions.map((e) => [e.taskId, `${e.status} ${e.attempt}`]))).toEqual({ s1: 'succeeded 1', s2: 'succeeded 1', s3: 'failed 2' });

    const refused = await run(fx.refusingChain, { x: 3000 });
    expect(refused.run.status).toBe('failed');
    expect(refused.run.failedTask).toBe('s3');
    expect(refused.run.error).toContain('refuses x=3002');
    expect(refused.runs).toEqual({ s1: 1, s2: 1, s3: 1 });
  });

  it('skips a step whose condition is false, and the steps that read it, as it would one by one', async () => {
    const skipped = await run(fx.conditionalChain, { x: 4000, limit: 1_000_000 });
    expect(skipped.run.status, skipped.run.error ?? '').toBe('succeeded');
    expect(skipped.runs).toEqual({ s1: 1, s2: 1 });
    const rows = Object.fromEntries((await ts.stack.metadata.listExecutions(skipped.run.id)).map((e) => [e.taskId, `${e.status}${e.error ? `: ${e.error}` : ''}`]));
    expect(rows).toEqual({ s1: 'succeeded', s2: 'succeeded', s3: 'skipped: its condition is false', s4: 'skipped: everything it depends on was skipped' });

    const ran = await run(fx.conditionalChain, { x: 5000, limit: 0 });
    expect(ran.run.status, ran.run.error ?? '').toBe('succeeded');
    expect(ran.runs).toEqual({ s1: 1, s2: 1, s3: 1, s4: 1 });
    // One fused activity ran all four.
    expect(ran.markers.reduce((a, b) => a + b, 0)).toBe(1);
  });
});
