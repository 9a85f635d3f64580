/**
 * What a loop hands each batch workflow: only the pipeline inputs its body reads. The whole input
 * map travelled before, so a 100,000-item list given as a pipeline input (~600 KB) went into every
 * batch's start command, and the parent's workflow task completion that starts 8 batches passed
 * gRPC's 4 MB limit: the loop could never start.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRun } from '../../engine/runs/submitRun';
import type { LoopBatchInput } from '../../engine/temporal/workflows/loop';
import * as fx from '../fixtures/loopInputs';
import { startTestStack, type TestStack } from '../support/stackHarness';

describe('a loop batch', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [fx]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('receives only the pipeline inputs its body reads, not the list it loops over or inputs nobody reads', async () => {
    const xs = Array.from({ length: 30 }, (_, i) => i);
    const submitted = await ts.start(fx.offsetLoop, { xs, note: 'x'.repeat(10_000), offset: 100 });
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status, run.error ?? '').toBe('succeeded');

    const root = await ts.stack.client.workflow.getHandle(submitted.workflowId).fetchHistory();
    const starts = (root.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes ?? []);
    expect(starts.length).toBeGreaterThan(0);
    for (const start of starts) {
      const payload = start.input?.payloads?.[0];
      expect(payload).toBeDefined();
      const input = defaultPayloadConverter.fromPayload<LoopBatchInput>(payload!);
      expect(input.env.inputs).toEqual({ offset: { kind: 'parameter', value: 100 } });
    }
    const executions = await ts.stack.metadata.listExecutions(run.id);
    expect(executions.filter((e) => e.status === 'succeeded')).toHaveLength(xs.length);
  });
});
