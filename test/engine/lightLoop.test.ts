/**
 * A loop of light steps (execution: 'local') on real Temporal and PGlite. Since the
 * light-item-groups patch a batch whose body is one light chain runs its items in groups, each ONE
 * `executeLightItems` regular activity (LIGHT_ITEMS_PER_GROUP items): no local activity holds a
 * batch's workflow task open, every item runs exactly once, and an item whose chain stops in its
 * group (a step to skip, a failed attempt to retry) is finished by the workflow's ordinary path
 * without its finished steps running again.
 */
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRun } from '../../engine/runs/submitRun';
import { LIGHT_ITEMS_PER_GROUP } from '../../engine/temporal/workflows/loop';
import * as fx from '../fixtures/lightLoop';
import { markersPerWorkflowTask } from '../support/localActivityMarkers';
import { startTestStack, type TestStack } from '../support/stackHarness';

const EventType = proto.temporal.api.enums.v1.EventType;

describe('a loop of light steps', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [fx]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  /** The batch workflows' histories (children of the run's workflow). */
  async function batchHistories(workflowId: string) {
    const root = await ts.stack.client.workflow.getHandle(workflowId).fetchHistory();
    const batchIds = (root.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
    return Promise.all(batchIds.map(async (id) => ({ id, events: (await ts.stack.client.workflow.getHandle(id).fetchHistory()).events ?? [] })));
  }

  it('runs its items in groups, one activity per LIGHT_ITEMS_PER_GROUP items, each item once', async () => {
    const n = 3 * LIGHT_ITEMS_PER_GROUP + 20;
    const submitted = await ts.start(fx.lightLoop, { xs: Array.from({ length: n }, (_, i) => i) });
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status, run.error ?? '').toBe('succeeded');

    const executions = await ts.stack.metadata.listExecutions(run.id);
    expect(executions).toHaveLength(n);
    expect(executions.filter((e) => e.status !== 'succeeded')).toEqual([]);
    expect(executions.filter((e) => e.outputParams?.y !== Number(/\[(\d+)\]/.exec(e.taskId)?.[1]) + 1).map((e) => e.taskId)).toEqual([]);
    // One attempt each: no item ran again.
    expect(executions.filter((e) => e.attempt !== 1).map((e) => `${e.taskId}: attempt ${e.attempt}`)).toEqual([]);

    const batches = await batchHistories(submitted.workflowId);
    expect(batches.length).toBeGreaterThan(0);
    let groups = 0;
    for (const { id, events } of batches) {
      // No light step ran as a local activity of its own, and no workflow task timed out.
      expect(markersPerWorkflowTask(events).reduce((a, b) => a + b, 0), `workflow ${id}: local activity markers`).toBe(0);
      expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT), `workflow ${id}`).toEqual([]);
      groups += events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeLightItems').length;
    }
    expect(groups).toBe(Math.ceil(n / LIGHT_ITEMS_PER_GROUP));
  });

  it('finishes the items that leave their group the ordinary way: a skipped item is recorded skipped, a failed attempt is retried, nothing runs twice', async () => {
    const n = 2 * LIGHT_ITEMS_PER_GROUP;
    fx.runsOf.clear();
    const submitted = await ts.start(fx.trickyLightLoop, { xs: Array.from({ length: n }, (_, i) => i) });
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status, run.error ?? '').toBe('succeeded');

    const executions = await ts.stack.metadata.listExecutions(run.id);
    expect(executions).toHaveLength(n);
    const byTask = new Map(executions.map((e) => [e.taskId, e]));
    expect(byTask.get('each[7]/add')?.status).toBe('skipped');
    for (let x = 0; x < n; x++) {
      const e = byTask.get(`each[${x}]/add`);
      if (x === 7) continue;
      expect([e?.status, e?.outputParams?.y], `each[${x}]/add`).toEqual(['succeeded', x + 1]);
      // Items ending in 3 failed their first attempt in the group and succeeded on the second.
      expect(e?.attempt, `each[${x}]/add`).toBe(x % 10 === 3 ? 2 : 1);
      expect(fx.runsOf.get(`each[${x}]/add`), `runs of each[${x}]/add`).toBe(x % 10 === 3 ? 2 : 1);
    }
    expect(fx.runsOf.get('each[7]/add')).toBeUndefined();
  });

  it('fails the loop at an item whose step refuses for good, naming its task, without retrying it', async () => {
    fx.runsOf.clear();
    const submitted = await ts.start(fx.trickyLightLoop, { xs: [0, 1, -1, 2] });
    const run = await waitForRun(ts.stack.metadata, submitted);
    expect(run.status).toBe('failed');
    expect(run.error).toContain('each[2]/add');
    expect(run.error).toContain('x must not be negative, got -1');
    expect(fx.runsOf.get('each[2]/add')).toBe(1);
  });
});
