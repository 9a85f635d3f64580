/**
 * A loop batch keeps each of its workflow runs short: past BATCH_RUN_EVENTS history events it lets
 * the items in flight finish, records them and continues as new with the rest. Before, one batch
 * of 500 items was one ~1,700-event history, and a workflow task that timed out on a stalled worker
 * was retried by replaying all of it: 42-47 s per attempt late in a 100,000-item loop, timing out
 * again up to 8 times. What must hold across the runs: every item runs once, is recorded once, the
 * counts (a tolerated failure in the first run included) reach the loop, and `collect()` sees every
 * item's output.
 */
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRun } from '../../engine/runs/submitRun';
import { BATCH_RUN_EVENTS } from '../../engine/temporal/workflows/loop';
import * as fx from '../fixtures/loopSegments';
import { startTestStack, type TestStack } from '../support/stackHarness';

/** Event counts of every run of `workflowId`, first run first (each later run names the one it continued). */
async function runLengths(client: Client, workflowId: string): Promise<number[]> {
  const lengths: number[] = [];
  let runId: string | undefined;
  for (;;) {
    const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    lengths.unshift(events.length);
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    if (!runId) return lengths;
  }
}

describe('a long loop batch', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [fx]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('continues as new in short runs, each item running and recorded once, the counts and outputs whole', async () => {
    const n = 300; // one batch (up to 500 one-task items each): ~950 events in one run before
    const xs = Array.from({ length: n }, (_, i) => i);
    const submitted = await ts.start(fx.segmentedLoop, { xs, failAt: 7 });
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const expected = xs.filter((x) => x !== 7);
    expect(run.outputs).toEqual({ sum: expected.reduce((a, x) => a + 2 * x, 0), count: expected.length });

    const root = await ts.stack.client.workflow.getHandle(submitted.workflowId).fetchHistory();
    const batches = (root.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
    expect(batches).toHaveLength(1);
    const lengths = await runLengths(ts.stack.client, batches[0] as string);
    console.log(`batch runs: ${lengths.length}, events per run: ${lengths.join(', ')}`);
    expect(lengths.length).toBeGreaterThan(1);
    // At the threshold up to 50 items are in flight, each adding its scheduled/started/completed events.
    for (const events of lengths) expect(events).toBeLessThan(BATCH_RUN_EVENTS + 3 * 50 + 50);

    const items = await ts.stack.metadata.listLoopItems(run.id, 'each');
    expect(items.map((i) => i.index)).toEqual(xs);
    expect(items.filter((i) => i.status !== 'succeeded').map((i) => [i.index, i.status])).toEqual([[7, 'failed']]);
    const executions = (await ts.stack.metadata.listExecutions(run.id)).filter((e) => e.taskId.startsWith('each['));
    expect(executions).toHaveLength(n);
    expect(executions.filter((e) => e.attempt !== 1)).toEqual([]);
  });
});
