/**
 * Records workflow histories of real runs of the example and fixture pipelines into
 * test/replay/histories/, for replay.test.ts. Run it (`npm run record:histories`) only when a
 * workflow change is *meant* to be incompatible and guarded by `patched()`: the checked-in
 * histories are the runs "in flight" that every later interpreter must still replay.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../engine/temporal/devServer/temporalCli';
import { compile, type AnyPipeline } from '../../dsl/index';
import { submitRun, waitForRun } from '../../engine/runs/submitRun';
import { approveUpdate } from '../../engine/temporal/workflows/pipelineRun';
import type { RunStatusView } from '../../engine/temporal/workflows/types';
import sweep from '../../examples/hyperparameter-sweep';
import iris from '../../examples/iris';
import * as flows from '../fixtures/controlFlow';
import * as exec from '../fixtures/execution';
import { startTestStack, type TestStack } from '../support/stackHarness';

const OUT = path.join(path.dirname(new URL(import.meta.url).pathname), 'histories');

interface HistoryJson {
  events: { startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string } }[];
}

/**
 * The workflow and, recursively, its children (ids from the history's child-start events), in
 * proto3 JSON as the Temporal CLI prints it (what `historyFromJSON` reads back).
 */
async function saveTree(address: string, workflowId: string, dir: string): Promise<number> {
  const cli = await findTemporalCli();
  const { stdout } = await promisify(execFile)(cli, ['workflow', 'show', '--address', address, '-w', workflowId, '--output', 'json'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const history = JSON.parse(stdout) as HistoryJson;
  const file = path.join(dir, `${workflowId.replace(/[^A-Za-z0-9_.-]+/g, '_')}.json`);
  await writeFile(file, JSON.stringify({ workflowId, history }));
  let n = 1;
  for (const e of history.events) {
    const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    if (child) n += await saveTree(address, child, dir);
  }
  return n;
}

async function record(ts: TestStack, name: string, p: AnyPipeline, params: Record<string, unknown>, drive?: (s: Awaited<ReturnType<TestStack['start']>>) => Promise<void>): Promise<void> {
  const submitted = await ts.start(p, params);
  if (drive) await drive(submitted);
  const run = await waitForRun(ts.stack.metadata, submitted);
  const dir = path.join(OUT, name);
  await mkdir(dir, { recursive: true });
  const n = await saveTree(ts.stack.temporalAddress, submitted.workflowId, dir);
  process.stdout.write(`${name}: run ${run.status}, ${n} workflow histor${n === 1 ? 'y' : 'ies'}\n`);
}

async function untilState(s: { handle: { query: (q: string) => Promise<unknown> } }, task: string, state: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const v = (await s.handle.query('status').catch(() => undefined)) as RunStatusView | undefined;
    if (v?.tasks[task]?.state === state) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${task} never became ${state}`);
}

const ts = await startTestStack('pglite', [flows, exec, { iris, sweep }]);
try {
  await rm(OUT, { recursive: true, force: true });
  await record(ts, 'iris', iris, {});
  await record(ts, 'sweep', sweep, { epochs: 20 });
  await record(ts, 'branching', flows.branching, { mode: 'fast' });
  await record(ts, 'fan-out', flows.fanOut, { xs: [1, 2, 3, 4] });
  await record(ts, 'nested-loops', flows.nestedLoops, {});
  await record(ts, 'tolerant-loop', flows.tolerant, {});
  await record(ts, 'nested-pipeline', flows.withSub, {});
  await record(ts, 'exit-after-failure', flows.failingWithExit, {});
  await record(ts, 'approved', flows.gated, {}, async (s) => {
    await untilState(s, 'gate', 'waiting');
    await s.handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'recorder' }] });
  });
  await record(ts, 'cancelled', flows.cancellableWithExit, {}, async (s) => {
    await untilState(s, 'long', 'running');
    await s.handle.cancel();
  });
  await record(ts, 'cached', exec.cached, { x: 1 });
  // A retried run: reuse recorded through the bookkeeping activity.
  const failed = await ts.run(exec.retryable, { flagFile: '/nonexistent/flag' });
  const { planRetry } = await import('../../engine/runs/retryRun');
  const plan = await planRetry(ts.stack.metadata, failed.id);
  const retried = await submitRun({
    client: ts.stack.client,
    metadata: ts.stack.metadata,
    spec: compile(exec.retryable).spec,
    params: { flagFile: '/nonexistent/flag' },
    reuse: plan.reuse,
    taskQueuePrefix: ts.stack.taskQueuePrefix,
  });
  await waitForRun(ts.stack.metadata, retried);
  await mkdir(path.join(OUT, 'retried'), { recursive: true });
  await saveTree(ts.stack.temporalAddress, retried.workflowId, path.join(OUT, 'retried'));
  process.stdout.write('retried: recorded\n');
} finally {
  await ts.stop();
}
