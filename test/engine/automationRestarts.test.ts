/**
 * Automation over time on a real Temporal dev server: a schedule with a short interval starts runs
 * by itself and pausing it stops them; an artifact sensor that restarts (its workflow terminated and
 * started again from an earlier cursor) still fires exactly once per artifact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../dsl/index';
import type { MetadataStore } from '../../engine/stores/metadata/MetadataStore';
import { createSchedule, deleteSchedule, pauseSchedule } from '../../engine/automation/schedules/index';
import { createTrigger, deleteTrigger } from '../../engine/automation/triggers/index';
import { definitionQuery, triggerWorkflowId } from '../../engine/temporal/workflows/triggers';
import * as flows from '../fixtures/controlFlow';
import { startTestStack, type TestStack } from '../support/stackHarness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function countRuns(metadata: MetadataStore, key: 'scheduleId' | 'triggerId', id: string): Promise<number> {
  return (await metadata.listRuns({ limit: 500 })).filter((r) => r.trigger[key] === id).length;
}

describe('automation over time', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [flows]);
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('a schedule every 2 s starts runs on its own; pausing it stops them', async () => {
    const deps = { client: ts.stack.client, metadata: ts.stack.metadata, taskQueuePrefix: ts.stack.taskQueuePrefix };
    await createSchedule(deps, { id: 'every-2s', spec: compile(flows.branching).spec, params: { mode: 'fast' }, every: ['2s'], overlap: 'allow-all' });
    for (let i = 0; i < 150 && (await countRuns(ts.stack.metadata, 'scheduleId', 'every-2s')) < 2; i++) await sleep(200);
    expect(await countRuns(ts.stack.metadata, 'scheduleId', 'every-2s')).toBeGreaterThanOrEqual(2);
    await pauseSchedule(deps, 'every-2s', 'enough');
    // A start already on its way when pausing may still record its run: wait until none lands.
    let atPause = await countRuns(ts.stack.metadata, 'scheduleId', 'every-2s');
    for (let i = 0; i < 10; i++) {
      await sleep(1500);
      const now = await countRuns(ts.stack.metadata, 'scheduleId', 'every-2s');
      if (now === atPause) break;
      atPause = now;
    }
    await sleep(5000);
    expect(await countRuns(ts.stack.metadata, 'scheduleId', 'every-2s')).toBe(atPause);
    await deleteSchedule(deps, 'every-2s');
  });

  it('an artifact sensor fires once per artifact even when it restarts from an earlier cursor', async () => {
    const deps = { client: ts.stack.client, metadata: ts.stack.metadata, taskQueuePrefix: ts.stack.taskQueuePrefix };
    await createTrigger(deps, { kind: 'artifact', id: 'docs-once', spec: compile(flows.consumer).spec, input: 'doc', match: { type: 'Markdown', name: 'write.file' }, pollMs: 250 });
    const handle = ts.stack.client.workflow.getHandle(triggerWorkflowId('docs-once'));
    const original = await handle.query(definitionQuery);
    await ts.run(flows.sub, { text: 'one' });
    for (let i = 0; i < 150 && (await countRuns(ts.stack.metadata, 'triggerId', 'docs-once')) < 1; i++) await sleep(200);
    expect(await countRuns(ts.stack.metadata, 'triggerId', 'docs-once')).toBe(1);

    // Restart the sensor from its first cursor: it sees the same artifact again.
    await handle.terminate('simulated sensor restart');
    await ts.stack.client.workflow.start('triggerSensor', { workflowId: triggerWorkflowId('docs-once'), taskQueue: ts.stack.taskQueuePrefix, args: [original] });
    await sleep(2500); // ten polls
    expect(await countRuns(ts.stack.metadata, 'triggerId', 'docs-once')).toBe(1);

    await ts.run(flows.sub, { text: 'two' });
    for (let i = 0; i < 150 && (await countRuns(ts.stack.metadata, 'triggerId', 'docs-once')) < 2; i++) await sleep(200);
    await sleep(1500);
    expect(await countRuns(ts.stack.metadata, 'triggerId', 'docs-once')).toBe(2);
    await deleteTrigger(ts.stack.client, 'docs-once');
  });
});
