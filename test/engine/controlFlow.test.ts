/**
 * Conditions, loops, fan-in, nested pipelines, exit handlers, cancellation and approvals, end to
 * end against a real Temporal dev server and PGlite.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRun } from '../../engine/runs/submitRun';
import type { ExecutionRecord } from '../../engine/stores/metadata/MetadataStore';
import { approveUpdate } from '../../engine/temporal/workflows/pipelineRun';
import type { RunStatusView } from '../../engine/temporal/workflows/types';
import * as flows from '../fixtures/controlFlow';
import { startTestStack, type TestStack } from '../support/stackHarness';

const byTask = (execs: ExecutionRecord[]): Record<string, ExecutionRecord> => Object.fromEntries(execs.map((e) => [e.taskId, e]));

async function waitForStatus(handle: WorkflowHandle, ok: (s: RunStatusView) => boolean, timeoutMs = 30_000): Promise<RunStatusView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await handle.query<RunStatusView>('status').catch(() => undefined);
    if (s && ok(s)) return s;
    if (Date.now() > until) throw new Error(`status never matched; last: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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

describe('control flow', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [flows]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('skips the branch not taken, and what depends only on it; oneOf takes the branch that ran', async () => {
    const run = await ts.run(flows.branching, { mode: 'fast' });
    expect(run.status).toBe('succeeded');
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(e.fast?.status).toBe('succeeded');
    expect(e.slow?.status).toBe('skipped');
    expect(e['after-slow']?.status).toBe('skipped');
    expect(e.merged?.outputParams).toEqual({ name: 'fast' });
    expect(e.big?.status).toBe('succeeded'); // 16 > 10, from an upstream output
    expect(run.outputs).toEqual({ chosen: 'fast' });

    const other = await ts.run(flows.branching, { mode: 'thorough', threshold: 20 });
    const o = byTask(await ts.stack.metadata.listExecutions(other.id));
    expect(o.fast?.status).toBe('skipped');
    expect(o.slow?.status).toBe('succeeded');
    expect(o['after-slow']?.status).toBe('succeeded');
    expect(o.big?.status).toBe('skipped');
    expect(other.outputs).toEqual({ chosen: 'slow' });
  });

  it('runs a loop with parallelism 3 (never more than 3 items at once) and collects parameters and artifacts', async () => {
    const run = await ts.run(flows.fanOut, { xs: [1, 2, 3, 4, 5, 6, 7] });
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ total: 140, text: Array(7).fill('item').join('|') });
    const execs = await ts.stack.metadata.listExecutions(run.id);
    const squares = execs.filter((e) => /^each\[\d+\]\/sq$/.test(e.taskId));
    expect(squares).toHaveLength(7);
    const overlap = maxOverlap(squares.map((e) => ({ start: e.startedAt.getTime(), end: (e.finishedAt ?? e.startedAt).getTime() })));
    expect(overlap).toBeLessThanOrEqual(3);
    expect(overlap).toBeGreaterThanOrEqual(2);
  });

  it('runs nested loops and fans in at each level', async () => {
    const run = await ts.run(flows.nestedLoops);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ grand: 2 * (100 + 400 + 900) });
    const execs = await ts.stack.metadata.listExecutions(run.id);
    expect(execs.filter((e) => /^outer\[\d\]\/inner\[\d\]\/inner-sq$/.test(e.taskId))).toHaveLength(6);
  });

  it('lets a loop succeed above its minimum success ratio, collecting only succeeded items', async () => {
    const run = await ts.run(flows.tolerant);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ total: 4 + 16 + 36 });
  });

  it('skips the one task of a loop item whose condition is false, and runs it in the others', async () => {
    const run = await ts.run(flows.someSkipped);
    expect(run.status).toBe('succeeded');
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(['items[0]/sq', 'items[1]/sq', 'items[2]/sq', 'items[3]/sq'].map((id) => e[id]?.status)).toEqual(['succeeded', 'skipped', 'succeeded', 'succeeded']);
    expect(e['items[1]/sq']?.error).toBe('its condition is false');
    expect(run.outputs).toEqual({ total: 1 + 9 + 16 });
  });

  it('fails a loop that needs every item at the first failed item, naming item and task', async () => {
    const run = await ts.run(flows.strict);
    expect(run.status).toBe('failed');
    expect(run.failedTask).toBe('items');
    expect(run.error).toContain('item 2 failed at task "items[2]/must": odd input 5');
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(e.never).toBeUndefined();
  });

  it('runs a nested pipeline as a child workflow, with lineage across the boundary', async () => {
    const run = await ts.run(flows.withSub);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ chars: 'hello nested'.length });
    const artifacts = await ts.stack.metadata.listRunArtifacts(run.id);
    const file = artifacts.find((a) => a.taskId === 'inner/write');
    expect(file).toBeDefined();
    const graph = await ts.stack.metadata.lineage(file?.id ?? '', { direction: 'both', depth: 3 });
    const tasks = graph.nodes.flatMap((n) => (n.execution ? [n.execution.taskId] : []));
    expect(tasks).toEqual(expect.arrayContaining(['inner/write', 'count']));
  });

  it('runs the exit handler after a failure, telling it the outcome', async () => {
    const run = await ts.run(flows.failingWithExit);
    expect(run.status).toBe('failed');
    expect(run.failedTask).toBe('explode');
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(e.cleanup?.status).toBe('succeeded');
    expect(e.cleanup?.outputParams).toEqual({ seen: 'failed|explode|boom' });
  });

  it('cancels a run: the running task stops, the run ends cancelled, the exit handler still runs', async () => {
    const submitted = await ts.start(flows.cancellableWithExit);
    await waitForStatus(submitted.handle, (s) => s.tasks.long?.state === 'running');
    await new Promise((r) => setTimeout(r, 500));
    await submitted.handle.cancel();
    const run = await waitForRun(ts.stack.metadata, submitted);
    // Stopped, not waited for: the 60 s nap's row says cancelled (below), not succeeded.
    expect(run.status).toBe('cancelled');
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(e.long?.status).toBe('cancelled');
    expect(e.cleanup?.outputParams).toEqual({ seen: 'cancelled||' });
  });

  it('waits at an approval gate until approved, then goes on', async () => {
    const submitted = await ts.start(flows.gated);
    await waitForStatus(submitted.handle, (s) => s.tasks.gate?.state === 'waiting');
    const waiting = byTask(await ts.stack.metadata.listExecutions(submitted.runId));
    expect(waiting.gate?.status).toBe('waiting');
    const refused = await submitted.handle.executeUpdate(approveUpdate, { args: [{ task: 'deploy', approved: true }] }).catch((e: unknown) => e);
    expect(String((refused as { cause?: Error }).cause?.message)).toMatch(/task "deploy" is pending, not waiting for approval/);
    const task = await submitted.handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'alice', comment: 'lgtm' }] });
    expect(task).toBe('gate');
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ deployed: 'deployed', approver: 'alice' });
  });

  it('fails the run when the gate is rejected', async () => {
    const submitted = await ts.start(flows.gated);
    await waitForStatus(submitted.handle, (s) => s.tasks.gate?.state === 'waiting');
    await submitted.handle.executeUpdate(approveUpdate, { args: [{ task: 'gate', approved: false, by: 'bob', comment: 'not today' }] });
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status).toBe('failed');
    expect(run.error).toContain('rejected by bob: not today');
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(e.deploy).toBeUndefined();
  });

  it('fails a gate nobody decides on before its deadline; the exit handler hears why', async () => {
    const run = await ts.run(flows.gatedWithDeadline);
    expect(run.status).toBe('failed');
    expect(run.failedTask).toBe('gate');
    expect(run.error).toContain('no approval decision within 1s');
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(e.gate?.status).toBe('failed');
    expect(e.deploy).toBeUndefined();
    expect(e.cleanup?.outputParams?.seen).toMatch(/^failed\|\|no approval decision within 1s/);
  });

  it('gives an exit handler the outputs of main tasks it reads', async () => {
    const run = await ts.run(flows.exitReadsOutput);
    expect(run.status).toBe('succeeded');
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(e.cleanup?.outputParams).toEqual({ seen: 'succeeded||from-main' });
  });
});
