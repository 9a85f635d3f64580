/** The bookkeeping activities against PGlite: recorded executions (reuse, gates, skips) and loop items. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrizzleMetadataStore } from '../../stores/metadata/DrizzleMetadataStore';
import { openMetadataStore } from '../../stores/metadata/openMetadataStore';
import type { LoopItemOutcome, RecordedExecution, RunActivities } from '../workflows/types';
import { createRunActivities } from './runBookkeeping';

let metadata: DrizzleMetadataStore;
let activities: RunActivities;
let n = 0;

beforeAll(async () => {
  metadata = await openMetadataStore({ dataDir: 'memory://' });
  activities = createRunActivities(metadata);
});
afterAll(async () => {
  await metadata?.close();
});

async function newRun(): Promise<string> {
  const name = `p${++n}`;
  const version = await metadata.registerPipelineVersion(
    { apiVersion: 'sluice/v1', name, inputs: {}, outputs: {}, components: {}, dag: { tasks: {} } },
    'd',
  );
  const id = `run-${n}`;
  await metadata.createRun({ id, pipelineVersionId: version.id, params: {}, trigger: {}, workflowId: id });
  return id;
}

const recorded = (taskId: string, status: RecordedExecution['status'], extra: Partial<RecordedExecution> = {}): RecordedExecution => ({
  taskId,
  componentName: 'c',
  componentDigest: 'd',
  status,
  ...extra,
});

describe('recordExecutions', () => {
  it('records skipped tasks once, under the deterministic execution id', async () => {
    const runId = await newRun();
    await activities.recordExecutions({ runId, executions: [recorded('a', 'skipped'), recorded('b', 'skipped', { params: { x: 1 } })] });
    const first = await metadata.listExecutions(runId);
    expect(first.map((e) => [e.id, e.status, e.params])).toEqual([
      [`${runId}.a`, 'skipped', {}],
      [`${runId}.b`, 'skipped', { x: 1 }],
    ]);
    await activities.recordExecutions({ runId, executions: [recorded('a', 'failed', { error: 'late' })] });
    expect(await metadata.listExecutions(runId)).toEqual(first);
  });

  it('takes an approval gate from waiting to its decision', async () => {
    const runId = await newRun();
    await activities.recordExecutions({ runId, executions: [recorded('gate', 'waiting')] });
    expect(await metadata.getExecution(`${runId}.gate`)).toMatchObject({ status: 'waiting', finishedAt: null });
    await activities.recordExecutions({ runId, executions: [recorded('gate', 'succeeded', { outputParams: { approved: true } })] });
    expect(await metadata.getExecution(`${runId}.gate`)).toMatchObject({ status: 'succeeded', outputParams: { approved: true } });
  });

  it('records a reused result with the old execution’s outputs as reuse links, so lineage keeps one producer', async () => {
    const oldRun = await newRun();
    const old = await metadata.startExecution({
      id: `${oldRun}.train`,
      runId: oldRun,
      taskId: 'train',
      componentName: 'c',
      componentDigest: 'd',
      attempt: 1,
      params: { lr: 0.1 },
      cacheKey: 'k',
    });
    const model = await metadata.recordArtifact({ id: `${old.id}.model`, type: 'Model', name: 'train.model', uri: 'file:///m', sha256: 'ab'.repeat(32), size: 1, properties: {} });
    await metadata.recordEvent({ executionId: old.id, artifactId: model.id, kind: 'output', port: 'model' });
    await metadata.finishExecution(old.id, { status: 'succeeded', outputParams: { loss: 0.2 } });

    const runId = await newRun();
    const input = { runId, executions: [recorded('train', 'cached', { cachedFrom: old.id })] };
    await activities.recordExecutions(input);
    await activities.recordExecutions(input);
    const reused = await metadata.getExecution(`${runId}.train`);
    expect(reused).toMatchObject({ status: 'cached', cachedFrom: old.id, outputParams: { loss: 0.2 }, params: { lr: 0.1 } });
    expect(await metadata.listEvents({ executionId: `${runId}.train` })).toEqual([
      { executionId: `${runId}.train`, artifactId: model.id, kind: 'reused', port: 'model' },
    ]);
    expect((await metadata.listRunArtifacts(runId)).map((a) => [a.id, a.reused])).toEqual([[model.id, true]]);
    const lineage = await metadata.lineage(model.id, { direction: 'upstream', depth: 1 });
    expect(lineage.nodes.filter((x) => x.kind === 'execution').map((x) => [x.id, x.reusedBy])).toEqual([[old.id, { executions: 1, runs: 1 }]]);
  });

  it('fails non-retryably when the reused execution does not exist', async () => {
    const runId = await newRun();
    await expect(
      activities.recordExecutions({ runId, executions: [recorded('train', 'cached', { cachedFrom: 'nope' })] }),
    ).rejects.toMatchObject({ nonRetryable: true, type: 'ReusedExecutionNotFound' });
  });

  it('reports the attempt a worker recorded before a queue-timeout failure, and leaves that row as it was', async () => {
    const runId = await newRun();
    const timedOut = recorded('fit', 'failed', { error: 'no gpu worker picked up the task within 2s' });
    // Attempt 1 never reached a worker: the record is the row, also when the activity is retried.
    expect(await activities.recordExecutions({ runId, executions: [timedOut] })).toEqual([{ taskId: 'fit', priorAttempt: null }]);
    expect(await activities.recordExecutions({ runId, executions: [timedOut] })).toEqual([{ taskId: 'fit', priorAttempt: null }]);

    // Attempt 1 ran on a worker and failed; attempt 2 then timed out in the queue.
    const retried = await newRun();
    await metadata.startExecution({ id: `${retried}.fit`, runId: retried, taskId: 'fit', componentName: 'c', componentDigest: 'd', attempt: 1, params: {} });
    await metadata.finishExecution(`${retried}.fit`, { status: 'failed', error: 'CUDA out of memory', attempt: 1 });
    const results = await activities.recordExecutions({ runId: retried, executions: [{ ...timedOut }] });
    expect(results).toEqual([{ taskId: 'fit', priorAttempt: 1 }]);
    expect(await metadata.getExecution(`${retried}.fit`)).toMatchObject({ status: 'failed', attempt: 1, error: 'CUDA out of memory' });
    // Other statuses do not look.
    expect(await activities.recordExecutions({ runId: retried, executions: [recorded('other', 'skipped')] })).toEqual([{ taskId: 'other', priorAttempt: null }]);
  });

  it('does nothing for a run without a row (a workflow started by hand)', async () => {
    await activities.recordExecutions({ runId: 'no-such-run', executions: [recorded('a', 'skipped')] });
    await activities.recordLoopItems({ runId: 'no-such-run', loop: 'l', items: [{ index: 0, status: 'succeeded', outputs: {} }] });
  });
});

describe('recordLoopItems', () => {
  it('stores items idempotently', async () => {
    const runId = await newRun();
    const items: LoopItemOutcome[] = [
      { index: 1, status: 'failed', outputs: {}, error: 'boom' },
      { index: 0, status: 'succeeded', outputs: { acc: { kind: 'parameter', value: 0.9 } } },
    ];
    await activities.recordLoopItems({ runId, loop: 'sweep', items });
    await activities.recordLoopItems({ runId, loop: 'sweep', items });
    expect((await metadata.listLoopItems(runId, 'sweep')).map((i) => [i.index, i.status, i.outputs, i.error])).toEqual([
      [0, 'succeeded', { acc: { kind: 'parameter', value: 0.9 } }, null],
      [1, 'failed', {}, 'boom'],
    ]);
  });
});
