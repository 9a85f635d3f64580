/**
 * Execution semantics end to end (real Temporal, PGlite): caching by content, opt-outs, retrying a
 * failed run from the failed step, command components (a real Python script), task logs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../dsl/index';
import { planRetry } from '../../engine/runs/retryRun';
import { submitRun, waitForRun } from '../../engine/runs/submitRun';
import type { ExecutionRecord } from '../../engine/stores/metadata/MetadataStore';
import * as fx from '../fixtures/execution';
import { startTestStack, type TestStack } from '../support/stackHarness';

const byTask = (execs: ExecutionRecord[]): Record<string, ExecutionRecord> => Object.fromEntries(execs.map((e) => [e.taskId, e]));

describe('execution', () => {
  let ts: TestStack;
  let tmp: string;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [fx]);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sluice-exec-'));
  });
  afterAll(async () => {
    await ts?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('reuses a cached result on a re-run, misses after the component code changes, and obeys --no-cache', async () => {
    const first = await ts.run(fx.cached, { x: 21 });
    const again = await ts.run(fx.cached, { x: 21 });
    expect(first.status).toBe('succeeded');
    expect(again.outputs).toEqual(first.outputs); // the random stamp of the first run
    const e1 = byTask(await ts.stack.metadata.listExecutions(first.id));
    const e2 = byTask(await ts.stack.metadata.listExecutions(again.id));
    expect(e2.stamp?.status).toBe('cached');
    expect(e2.stamp?.cachedFrom).toBe(e1.stamp?.id);
    expect(e2['csv-data']?.status).toBe('cached');
    // The cached execution links to the same artifacts as a reuse: the first run's stays the producer.
    const events = await ts.stack.metadata.listEvents({ executionId: e2['csv-data']?.id ?? '' });
    expect(events.filter((e) => e.kind === 'output')).toHaveLength(0);
    expect(events.filter((e) => e.kind === 'reused').map((e) => e.artifactId)).toEqual(
      (await ts.stack.metadata.listEvents({ executionId: e1['csv-data']?.id ?? '' })).filter((e) => e.kind === 'output').map((e) => e.artifactId),
    );

    const edited = await ts.run(fx.cachedEdited, { x: 21 });
    const e3 = byTask(await ts.stack.metadata.listExecutions(edited.id));
    expect(e3.stamp?.status).toBe('succeeded');
    expect(edited.outputs).not.toEqual(first.outputs);
    expect(e3['csv-data']?.status).toBe('cached');

    const other = await ts.run(fx.cached, { x: 22 });
    expect(byTask(await ts.stack.metadata.listExecutions(other.id)).stamp?.status).toBe('succeeded');

    const noCache = await waitForRun(
      ts.stack.metadata,
      await submitRun({ client: ts.stack.client, metadata: ts.stack.metadata, spec: compile(fx.cached).spec, params: { x: 21 }, taskQueuePrefix: ts.stack.taskQueuePrefix, cache: false }),
    );
    const e4 = byTask(await ts.stack.metadata.listExecutions(noCache.id));
    expect(e4.stamp?.status).toBe('succeeded');
    expect(noCache.outputs).not.toEqual(first.outputs);
  });

  it('runs light steps (execution: local) as local activities, with lineage, logs and metrics like any task', async () => {
    const run = await ts.run(fx.lightSteps, { x: 20 });
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.outputs).toEqual({ sum: 41 });
    const execs = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(Object.keys(execs).sort()).toEqual(['queued', 'read', 'write']);
    for (const e of Object.values(execs)) expect(e.status).toBe('succeeded');
    expect(execs.write?.outputParams).toEqual({ y: 21 });
    // Lineage: write produced the dataset, both readers consumed it.
    const events = async (id: string | undefined): Promise<string[]> =>
      (await ts.stack.metadata.listEvents({ executionId: id ?? '' })).map((e) => `${e.kind}:${e.port}:${e.artifactId}`).sort();
    expect(await events(execs.write?.id)).toEqual([`output:data:${run.id}.write.data`]);
    expect(await events(execs.read?.id)).toEqual([`input:data:${run.id}.write.data`]);
    expect(await events(execs.queued?.id)).toEqual([`input:data:${run.id}.write.data`]);
    const logs = await ts.stack.metadata.listTaskLogs({ runId: run.id });
    expect(logs.map((l) => l.message)).toEqual(expect.arrayContaining(['writing 20', 'read 20']));
    expect((await ts.stack.metadata.listMetrics({ executionId: execs.write?.id ?? '' })).map((m) => [m.key, m.value])).toEqual([['x', 20]]);
    // The two light steps are markers in the history; only the overridden task was a queued activity.
    const history = await ts.stack.client.workflow.getHandle(`run-${run.id}`).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeTask');
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]?.activityTaskScheduledEventAttributes?.taskQueue?.name).toBe(`${ts.stack.taskQueuePrefix}-cpu`);
    expect((history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(2);
  });

  it('retries a failed run from the failed step, reusing the steps that succeeded', async () => {
    const flag = path.join(tmp, 'flag');
    const failed = await ts.run(fx.retryable, { flagFile: flag });
    expect(failed.status).toBe('failed');
    expect(failed.failedTask).toBe('c');
    const old = byTask(await ts.stack.metadata.listExecutions(failed.id));
    // ctx.log lines and the failure are in the task's log.
    const logs = await ts.stack.metadata.listTaskLogs({ runId: failed.id, taskId: 'c' });
    expect(logs.map((l) => l.message)).toContain(`checking ${flag}`);
    expect(logs.some((l) => l.stream === 'system' && l.message.includes('is missing'))).toBe(true);

    await writeFile(flag, 'ok');
    const plan = await planRetry(ts.stack.metadata, failed.id);
    expect(Object.keys(plan.reuse).sort()).toEqual(['a', 'b']);
    const retried = await waitForRun(
      ts.stack.metadata,
      await submitRun({
        client: ts.stack.client,
        metadata: ts.stack.metadata,
        spec: plan.spec,
        params: plan.params,
        reuse: plan.reuse,
        trigger: { kind: 'retry', of: failed.id },
        taskQueuePrefix: ts.stack.taskQueuePrefix,
      }),
    );
    expect(retried.status).toBe('succeeded');
    expect(retried.outputs).toEqual({ n: 3 });
    const now = byTask(await ts.stack.metadata.listExecutions(retried.id));
    expect(now.a?.status).toBe('cached');
    expect(now.a?.cachedFrom).toBe(old.a?.id);
    expect(now.b?.cachedFrom).toBe(old.b?.id);
    expect(now.b?.outputParams?.stamp).toBe(old.b?.outputParams?.stamp); // not executed again
    expect(now.c?.status).toBe('succeeded');
    expect(now.d?.status).toBe('succeeded');
  });

  it('runs a Python command component: placeholders, output parameters, stdout as task logs', async () => {
    const run = await ts.run(fx.pythonPipeline, { epochs: 3 });
    expect(run.status).toBe('succeeded');
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(typeof e.train?.outputParams?.score).toBe('number');
    const artifacts = await ts.stack.metadata.listRunArtifacts(run.id);
    expect(artifacts.find((a) => a.taskId === 'train' && a.port === 'model')?.type).toBe('Model');
    const logs = await ts.stack.metadata.listTaskLogs({ runId: run.id, taskId: 'train' });
    expect(logs.filter((l) => l.stream === 'stdout').map((l) => l.message)).toEqual(expect.arrayContaining(['epoch 1/3', 'epoch 3/3']));
    expect(logs.some((l) => l.stream === 'stderr' && l.message.includes('toy'))).toBe(true);
  });

  it('fails a command whose executable does not exist at once, naming the task and the executable', async () => {
    const run = await ts.run(fx.brokenCommand);
    expect(run.status).toBe('failed');
    expect(run.failedTask).toBe('tool');
    expect(run.error).toMatch(/task "tool".*executable "python9" was not found/);
    const e = byTask(await ts.stack.metadata.listExecutions(run.id));
    expect(e.tool?.attempt).toBe(1); // non-retryable despite maxAttempts 3
  });
});
