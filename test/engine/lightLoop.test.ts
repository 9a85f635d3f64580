/**
 * A loop of light steps (local activities) on real Temporal and PGlite: a batch ends its workflow
 * task every LOCAL_STEPS_PER_WORKFLOW_TASK steps, so a lost workflow task (a starved or killed
 * worker) re-runs at most that many, and every item runs exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRun } from '../../engine/runs/submitRun';
import { LOCAL_STEPS_PER_WORKFLOW_TASK } from '../../engine/temporal/workflows/loop';
import * as fx from '../fixtures/lightLoop';
import { markersPerWorkflowTask } from '../support/localActivityMarkers';
import { startTestStack, type TestStack } from '../support/stackHarness';

describe('a loop of light steps', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [fx]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('records its steps every LOCAL_STEPS_PER_WORKFLOW_TASK steps and runs each item once', async () => {
    const n = 3 * LOCAL_STEPS_PER_WORKFLOW_TASK + 20;
    const submitted = await ts.start(fx.lightLoop, { xs: Array.from({ length: n }, (_, i) => i) });
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status, run.error ?? '').toBe('succeeded');

    const executions = await ts.stack.metadata.listExecutions(run.id);
    expect(executions).toHaveLength(n);
    expect(executions.filter((e) => e.status !== 'succeeded')).toEqual([]);
    // One attempt each: no item ran again.
    expect(executions.filter((e) => e.attempt !== 1).map((e) => `${e.taskId}: attempt ${e.attempt}`)).toEqual([]);

    // The batch workflows (children of the run's workflow): no workflow task recorded more than the cap.
    const root = await ts.stack.client.workflow.getHandle(submitted.workflowId).fetchHistory();
    const batchIds = (root.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
    expect(batchIds.length).toBeGreaterThan(0);
    let markers = 0;
    for (const id of batchIds) {
      const perTask = markersPerWorkflowTask((await ts.stack.client.workflow.getHandle(id).fetchHistory()).events ?? []);
      expect(Math.max(...perTask), `workflow ${id}: local activity markers per workflow task ${perTask.join(', ')}`).toBeLessThanOrEqual(LOCAL_STEPS_PER_WORKFLOW_TASK);
      markers += perTask.reduce((a, b) => a + b, 0);
    }
    expect(markers).toBe(n);
  });
});
