/**
 * GPU routing end to end (real Temporal dev server, PGlite; no GPU needed): a task that asks for
 * a GPU waits — visibly, with the reason — while no GPU worker is online, fails with a readable
 * reason when it has a wait limit, and runs on a worker made a GPU worker by configuration
 * (SLUICE_GPUS=1), holding its device, never on the CPU worker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type RunningApiServer } from '../../engine/server/index';
import { compile } from '../../dsl/index';
import { submitRun, waitForRun, type SubmittedRun } from '../../engine/runs/submitRun';
import { createLogger } from '../../engine/logging';
import { startWorkers, type RunningWorkers } from '../../engine/temporal/worker/startWorkers';
import type { RunStatusView } from '../../engine/temporal/workflows/types';
import { detectGpus } from '../../workers/runtime/index';
import * as fx from '../fixtures/gpu';
import { runStreamEvents } from '../../engine/contract/index';
import gpuWaitingTask from '../../editor/src/runview/testdata/gpuWaitingTask.json';
import { emptyRunView, reduceRun, taskView } from '../../editor/src/runview/runState';
import { openEventStream } from '../support/eventStream';
import { startTestStack, type TestStack } from '../support/stackHarness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A JSON value's shape: its keys (sorted) and the types of its leaves, not their values. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, shapeOf(v)]));
  }
  return value === null ? 'null' : typeof value;
}

describe('GPU workers', () => {
  let ts: TestStack;
  let api: RunningApiServer;
  let gpuWorker: RunningWorkers | undefined;
  let connection: NativeConnection | undefined;
  let workRoot: string;
  let waiting: SubmittedRun;

  const get = async <T>(url: string): Promise<T> => {
    const res = await fetch(`${api.url}${url}`);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    ts = await startTestStack('pglite', [fx]); // control + cpu workers only
    api = await startApiServer({
      metadata: ts.stack.metadata,
      artifacts: ts.stack.artifacts,
      client: ts.stack.client,
      registry: ts.stack.registry,
      taskQueuePrefix: ts.stack.taskQueuePrefix,
      auth: { enabled: false },
      logger: createLogger({ level: 'silent' }),
      port: 0,
    });
    workRoot = await mkdtemp(path.join(os.tmpdir(), 'sluice-gpu-work-'));
  });
  afterAll(async () => {
    await gpuWorker?.shutdown();
    await connection?.close();
    await api?.close();
    await ts?.stop();
    await rm(workRoot, { recursive: true, force: true });
  });

  it('routes a GPU task to the gpu queue, where it waits visibly while no GPU worker is online', async () => {
    waiting = await ts.start(fx.onGpu);
    let live: RunStatusView | null = null;
    for (let i = 0; i < 100; i++) {
      live = (await get<{ live: RunStatusView | null }>(`/api/runs/${waiting.runId}`)).live;
      if (live?.tasks.fit?.waitingFor && live.tasks['fit-command']?.waitingFor) break;
      await sleep(100);
    }
    const gpuQueue = `${ts.stack.taskQueuePrefix}-gpu`;
    expect(live?.tasks.prepare).toMatchObject({ state: 'succeeded', taskQueue: `${ts.stack.taskQueuePrefix}-cpu` });
    expect(live?.tasks.fit).toMatchObject({ state: 'waiting', taskQueue: gpuQueue, waitingFor: { resourceClass: 'gpu' } });
    expect(live?.tasks.fit?.waitingFor?.reason).toBe(`waiting for a gpu worker: none is polling task queue ${gpuQueue} (start one: sluice worker --queue gpu)`);
    // The CPU worker never touched it: no execution row yet.
    expect((await ts.stack.metadata.listExecutions(waiting.runId)).map((e) => e.taskId)).toEqual(['prepare']);

    const workers = await get<{ queues: { name: string; pollers: number }[]; workers: { roles: string[]; gpus: number[] }[] }>('/api/workers');
    expect(workers.queues.find((q) => q.name === gpuQueue)?.pollers).toBe(0);
    expect(workers.workers.flatMap((w) => w.roles).sort()).toEqual(['control', 'cpu']);
  });

  it("sends the run view a waiting task's real payload, with the shape of the editor's fixture, and the run view reads it as waiting for a GPU worker", async () => {
    // The `task` event as the server streams it (checked against the contract: checkResponses).
    const events = await openEventStream(`${api.url}/api/runs/${waiting.runId}/events`);
    let payload: unknown;
    try {
      payload = (await events.next((e) => e.event === 'task' && (e.data as { task?: string }).task === 'fit' && (e.data as { waitingFor?: unknown }).waitingFor !== undefined, 30_000)).data;
    } finally {
      events.close();
    }
    // The editor's unit test (editor/src/runview/runState.test.ts) feeds this fixture to the run
    // view: it must have the real payload's shape, or that test would test something else.
    const { '//': _about, ...fixture } = gpuWaitingTask;
    expect(shapeOf(payload)).toEqual(shapeOf(fixture));
    // And the real payload itself, through the editor's own reduction.
    const { task, ...status } = runStreamEvents.task.parse(payload);
    const view = taskView(reduceRun(emptyRunView(), { type: 'task', task, status }), 'fit');
    expect(view.state).toBe('waiting-gpu');
    expect(view.waitingFor).toMatch(/^waiting for a gpu worker: none is polling task queue /);
  });

  it('fails a GPU task that no GPU worker picks up within its wait limit, at once and with a readable reason', async () => {
    const started = Date.now();
    const run = await ts.run(fx.gpuDeadline);
    expect(run.status).toBe('failed');
    expect(run.failedTask).toBe('fit');
    const reason = /no gpu worker picked up the task within 2s \(task queue \S+-gpu; start one with: sluice worker --queue gpu\)$/;
    expect(run.error).toMatch(new RegExp(`^task "fit" failed: ${reason.source}`));
    expect(Date.now() - started).toBeLessThan(15_000); // not retried three times
    const [execution] = await ts.stack.metadata.listExecutions(run.id);
    expect(execution).toMatchObject({ taskId: 'fit', status: 'failed' });
    expect(execution?.error).toMatch(new RegExp(`^${reason.source}`));
    // One attempt: a schedule-to-start timeout is final.
    const history = await ts.stack.client.workflow.getHandle(run.workflowId).fetchHistory();
    expect((history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeTask')).toHaveLength(1);
  });

  it('runs the waiting task on a worker started as a GPU worker by configuration, holding its device', async () => {
    const gpus = (await detectGpus({ env: { SLUICE_GPUS: '1' } })).devices;
    expect(gpus.map((g) => g.index)).toEqual([0]);
    connection = await NativeConnection.connect({ address: ts.stack.temporalAddress });
    gpuWorker = await startWorkers({
      connection,
      taskQueuePrefix: ts.stack.taskQueuePrefix,
      control: false,
      resourceClasses: ['gpu'],
      gpus,
      runtime: { gpus: [0], tfjs: 'cpu' },
      metadata: ts.stack.metadata,
      artifacts: ts.stack.artifacts,
      registry: ts.stack.registry,
      workRoot,
      logger: createLogger({ level: 'silent' }),
    });

    const run = await waitForRun(ts.stack.metadata, waiting);
    expect(run.status).toBe('succeeded');
    const byTask = Object.fromEntries((await ts.stack.metadata.listExecutions(run.id)).map((e) => [e.taskId, e]));
    expect(byTask.prepare?.outputParams).toEqual({ where: 'cpu' });
    expect(byTask.fit?.outputParams?.device).toEqual({ kind: 'gpu', index: 0, ordinal: 0, name: gpus[0]?.name });
    expect(byTask['fit-command']?.outputParams).toEqual({ visible: gpus[0]?.uuid ?? '0' });

    // Temporal's own record: GPU tasks were started by the gpu worker, the CPU task by the cpu worker.
    const history = await ts.stack.client.workflow.getHandle(run.workflowId).fetchHistory();
    const events = history.events ?? [];
    const startedBy = events.flatMap((e) => {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name !== 'executeTask') return [];
      const start = events.find((s) => String(s.activityTaskStartedEventAttributes?.scheduledEventId ?? '') === String(e.eventId));
      return [{ queue: scheduled.taskQueue?.name ?? '', identity: start?.activityTaskStartedEventAttributes?.identity ?? '' }];
    });
    const onGpu = startedBy.filter((s) => s.queue.endsWith('-gpu'));
    const onCpu = startedBy.filter((s) => s.queue.endsWith('-cpu'));
    expect(onGpu).toHaveLength(2);
    for (const s of onGpu) expect(s.identity).toMatch(/ sluice\/gpu gpus=0 tfjs=cpu$/);
    expect(onCpu).toHaveLength(1);
    expect(onCpu[0]?.identity).toMatch(/ sluice\/cpu$/);

    // One process here (the test's): its control, cpu and gpu workers are listed as one worker.
    const workers = await get<{ queues: { name: string; idlePollers: number }[]; workers: { roles: string[]; gpus: number[]; tfjs?: string; polling: boolean }[] }>('/api/workers');
    expect(workers.workers).toEqual([expect.objectContaining({ roles: ['control', 'cpu', 'gpu'], gpus: [0], tfjs: 'cpu', polling: true })]);
    expect(workers.queues.find((q) => q.name.endsWith('-gpu'))?.idlePollers).toBe(1);
  });

  it('runs at most one task per GPU at a time', async () => {
    // Four GPU tasks (two runs, caching off), one configured GPU: each waits for the device.
    const submit = (): Promise<SubmittedRun> =>
      submitRun({ client: ts.stack.client, metadata: ts.stack.metadata, spec: compile(fx.onGpu).spec, params: {}, taskQueuePrefix: ts.stack.taskQueuePrefix, cache: false });
    const [a, b] = await Promise.all([submit(), submit()]);
    const runs = await Promise.all([waitForRun(ts.stack.metadata, a), waitForRun(ts.stack.metadata, b)]);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const spans = (await Promise.all(runs.map((r) => ts.stack.metadata.listExecutions(r.id))))
      .flat()
      .filter((e) => e.taskId !== 'prepare')
      .map((e) => [e.startedAt.getTime(), e.finishedAt?.getTime() ?? Infinity] as const)
      .sort((x, y) => x[0] - y[0]);
    expect(spans).toHaveLength(4);
    // One slot: no two GPU executions are open at once.
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? Infinity);
  });
});
