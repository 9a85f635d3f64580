/**
 * Records workflow histories of real runs of the example and fixture pipelines into
 * test/replay/histories/, for replay.test.ts. Run it only when a workflow change is *meant* to be
 * incompatible and guarded by `patched()`: the checked-in histories are the runs "in flight" that
 * every later interpreter must still replay, so record the new scenarios *beside* them —
 * `npm run record:histories -- cancel-early` records only the scenarios named (replacing just
 * their folders); with no names it records every scenario.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../engine/temporal/devServer/temporalCli';
import { compile, type AnyPipeline } from '../../dsl/index';
import { NativeConnection } from '@temporalio/worker';
import { submitRun, waitForRun, type SubmittedRun } from '../../engine/runs/submitRun';
import { startWorkers } from '../../engine/temporal/worker/startWorkers';
import { createLogger } from '../../engine/logging';
import { approveUpdate } from '../../engine/temporal/workflows/pipelineRun';
import type { RunStatusView } from '../../engine/temporal/workflows/types';
import sweep from '../../examples/hyperparameter-sweep';
import iris from '../../examples/iris';
import * as flows from '../fixtures/controlFlow';
import * as exec from '../fixtures/execution';
import * as trials from '../fixtures/pipelineTrial';
import * as light from '../fixtures/lightChain';
import * as segments from '../fixtures/loopSegments';
import * as lightLoop from '../fixtures/lightLoop';
import { startTestStack, type TestStack } from '../support/stackHarness';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { DEFAULT_ROLLOUT_PLAN, startRollout } from '../../engine/runs/index';
import { startModelServer } from '../../engine/serving/index';
import { MODEL_SERVER_URL_ENV } from '../../engine/temporal/activities/index';
import type { modelRollout } from '../../engine/temporal/workflows/index';
import { rolloutWorkflowId } from '../../engine/temporal/workflows/types';
import { constantIrisModel, registerModelBytes, startInferenceLoad } from '../support/servedModels';

const OUT = path.join(path.dirname(new URL(import.meta.url).pathname), 'histories');

interface HistoryJson {
  events: {
    startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string };
    workflowExecutionStartedEventAttributes?: { continuedExecutionRunId?: string };
  }[];
}

/**
 * The workflow and, recursively, its children (ids from the history's child-start events), in
 * proto3 JSON as the Temporal CLI prints it (what `historyFromJSON` reads back). A workflow that
 * continued as new (a long loop batch) is saved run by run, each run a history of its own
 * (`<id>.json` is the last run, `<id>.run<k>.json` the earlier ones, first run first).
 */
async function saveTree(address: string, workflowId: string, dir: string): Promise<number> {
  const cli = await findTemporalCli();
  const show = async (runId?: string): Promise<HistoryJson> => {
    const args = ['workflow', 'show', '--address', address, '-w', workflowId, ...(runId ? ['-r', runId] : []), '--output', 'json'];
    const { stdout } = await promisify(execFile)(cli, args, { maxBuffer: 256 * 1024 * 1024 });
    return JSON.parse(stdout) as HistoryJson;
  };
  const runs = [await show()];
  for (let before = runs[0]?.events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId; before; ) {
    const earlier = await show(before);
    runs.unshift(earlier);
    before = earlier.events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
  }
  const base = workflowId.replace(/[^A-Za-z0-9_.-]+/g, '_');
  let n = 0;
  for (const [k, history] of runs.entries()) {
    const file = path.join(dir, k === runs.length - 1 ? `${base}.json` : `${base}.run${k + 1}.json`);
    await writeFile(file, JSON.stringify({ workflowId, history }));
    n++;
    for (const e of history.events) {
      const child = e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
      if (child) n += await saveTree(address, child, dir);
    }
  }
  return n;
}

async function record(ts: TestStack, name: string, p: AnyPipeline, params: Record<string, unknown>, drive?: (s: Awaited<ReturnType<TestStack['start']>>) => Promise<void>): Promise<void> {
  const submitted = await ts.start(p, params);
  if (drive) await drive(submitted);
  await save(ts, name, submitted);
}

async function save(ts: TestStack, name: string, submitted: SubmittedRun): Promise<void> {
  const run = await waitForRun(ts.stack.metadata, submitted);
  const dir = path.join(OUT, name);
  await rm(dir, { recursive: true, force: true });
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

const SCENARIOS: Record<string, (ts: TestStack) => Promise<void>> = {
  iris: (ts) => record(ts, 'iris', iris, {}),
  sweep: (ts) => record(ts, 'sweep', sweep, { epochs: 20 }),
  branching: (ts) => record(ts, 'branching', flows.branching, { mode: 'fast' }),
  'fan-out': (ts) => record(ts, 'fan-out', flows.fanOut, { xs: [1, 2, 3, 4] }),
  'nested-loops': (ts) => record(ts, 'nested-loops', flows.nestedLoops, {}),
  'tolerant-loop': (ts) => record(ts, 'tolerant-loop', flows.tolerant, {}),
  'nested-pipeline': (ts) => record(ts, 'nested-pipeline', flows.withSub, {}),
  'exit-after-failure': (ts) => record(ts, 'exit-after-failure', flows.failingWithExit, {}),
  approved: (ts) =>
    record(ts, 'approved', flows.gated, {}, async (s) => {
      await untilState(s, 'gate', 'waiting');
      await s.handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'recorder' }] });
    }),
  cancelled: (ts) =>
    record(ts, 'cancelled', flows.cancellableWithExit, {}, async (s) => {
      await untilState(s, 'long', 'running');
      await s.handle.cancel();
    }),
  // Since the non-cancellable-run-bookkeeping patch (issue 11): cancelled in the same breath as
  // submitted, so the cancel reaches the workflow before its first activity.
  'cancel-early': (ts) => record(ts, 'cancel-early', flows.cancellableWithExit, {}, async (s) => {
    await s.handle.cancel();
  }),
  'cancel-before-start': recordCancelBeforeStart,
  cached: (ts) => record(ts, 'cached', exec.cached, { x: 1 }),
  retried: recordRetried,
  // Since the study-pipeline-trials patch: a study whose trials are child pipelines, the median
  // rule cancelling the clearly worse ones.
  'pipeline-trial': (ts) => record(ts, 'pipeline-trial', trials.prunedPipelineStudy, {}),
  // Since the light-chain-fusion patch (issue 17): 55 light steps, fused 50 + 5, the full part
  // ending its workflow task on a 1 ms timer; and a chain whose third step fails its first
  // attempt inside the fused activity and is retried as an ordinary light step.
  'light-chain': (ts) => record(ts, 'light-chain', light.lightChain(55), { x: 0 }),
  'light-chain-retry': (ts) => record(ts, 'light-chain-retry', light.flakyChain, { x: 0 }),
  rollout: recordRollout,
  // Since the loop-batch-continue-as-new patch (issue 17): one batch of 300 items in three runs,
  // the item failing in the first run tolerated (its count carried into the later runs).
  'loop-segments': (ts) => record(ts, 'loop-segments', segments.segmentedLoop, { xs: Array.from({ length: 300 }, (_, i) => i), failAt: 7 }),
  // Since the light-item-groups patch (issue 17): a 30-item light loop run in groups of 25 and 5
  // (executeLightItems activities); item 7 is skipped and items 3, 13 and 23 fail their first
  // attempt, so each leaves its group and is finished by the batch's ordinary path.
  // (light-loop-capped, beside it, was recorded by branch lightbatch with the code before any
  // grouping: the local-batch-task-cap path, 20 light steps per workflow task; it cannot be
  // recorded again with this code.)
  'light-item-groups': (ts) => record(ts, 'light-item-groups', lightLoop.trickyLightLoop, { xs: Array.from({ length: 30 }, (_, i) => i) }),
  // Since the loop-single-task-items patch (issue 17): loop-segments' pipeline again (one batch of
  // 300 items of one queued task, in several runs, item 7 failing and tolerated), each item's task
  // run straight through runTask instead of runScope. bench/replayCost.ts replays it too.
  'single-task-items': (ts) => record(ts, 'single-task-items', segments.segmentedLoop, { xs: Array.from({ length: 300 }, (_, i) => i), failAt: 7 }),
  // Since the bookkeeping-timeout-30s patch: the sweep again (a study and its run), each workflow's
  // bookkeeping activities scheduled with the shorter timeout behind the patch's marker.
  'sweep-bookkeeping-30s': (ts) => record(ts, 'sweep-bookkeeping-30s', sweep, { epochs: 20 }),
};

/**
 * Since the patch: cancelled before any worker saw the run (submitted on a task queue nobody
 * polls yet), so the first workflow task holds both the start and the cancel.
 */
async function recordCancelBeforeStart(ts: TestStack): Promise<void> {
  const taskQueuePrefix = `${ts.stack.taskQueuePrefix}-late`;
  ts.stack.registry.addModule({ p: flows.cancellableWithExit });
  const submitted = await submitRun({ client: ts.stack.client, metadata: ts.stack.metadata, spec: compile(flows.cancellableWithExit).spec, taskQueuePrefix });
  await submitted.handle.cancel();
  const connection = await NativeConnection.connect({ address: ts.stack.temporalAddress });
  const workers = await startWorkers({
    connection,
    taskQueuePrefix,
    resourceClasses: ['cpu'],
    metadata: ts.stack.metadata,
    artifacts: ts.stack.artifacts,
    registry: ts.stack.registry,
    workRoot: path.join(ts.stack.stateDir, 'work-late'),
    logger: createLogger({ level: 'silent' }),
  });
  try {
    await save(ts, 'cancel-before-start', submitted);
  } finally {
    await workers.shutdown();
    await connection.close();
  }
}

// A retried run: reuse recorded through the bookkeeping activity.
async function recordRetried(ts: TestStack): Promise<void> {
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
  await rm(path.join(OUT, 'retried'), { recursive: true, force: true });
  await mkdir(path.join(OUT, 'retried'), { recursive: true });
  await saveTree(ts.stack.temporalAddress, retried.workflowId, path.join(OUT, 'retried'));
  process.stdout.write('retried: recorded\n');
}

/**
 * A canary rollout (50%, then 100%; 1 s windows) of a healthy candidate under load, promoted: the
 * modelRollout workflow's weight, scrape, decide and finish activities, timers and all.
 */
async function recordRollout(ts: TestStack): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-record-rollout-'));
  const server = await startModelServer({ source: ts.stack.metadata, artifacts: ts.stack.artifacts, logger: createLogger({ level: 'silent' }), port: 0, pollMs: 100 });
  process.env[MODEL_SERVER_URL_ENV] = server.url;
  const reg = (cls: number, n: number) => registerModelBytes({ metadata: ts.stack.metadata, artifacts: ts.stack.artifacts, dir, model: 'iris', bytes: constantIrisModel(cls), artifactId: `record-rollout-${n}` });
  await reg(0, 1);
  await reg(2, 2);
  await ts.stack.metadata.moveModelAlias({ model: 'iris', alias: 'champion', version: 1, actor: 'recorder', note: 'first' });
  const load = startInferenceLoad(server.url, 'iris');
  try {
    const plan = { ...DEFAULT_ROLLOUT_PLAN, mode: 'canary' as const, steps: [50, 100], intervalMs: 1000, maxP99Ms: 2500, minRequests: 5, maxHolds: 10 };
    const rollout = await startRollout({ client: ts.stack.client, metadata: ts.stack.metadata, taskQueuePrefix: ts.stack.taskQueuePrefix, model: 'iris', to: '2', plan, actor: 'recorder' });
    const workflowId = rolloutWorkflowId(rollout.id);
    const end = await ts.stack.client.workflow.getHandle<typeof modelRollout>(workflowId).result();
    const out = path.join(OUT, 'rollout');
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    await saveTree(ts.stack.temporalAddress, workflowId, out);
    process.stdout.write(`rollout: ${end.state}, recorded\n`);
  } finally {
    await load.stop();
    delete process.env[MODEL_SERVER_URL_ENV];
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in SCENARIOS));
if (unknown.length) {
  process.stderr.write(`unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}\n`);
  process.exit(2);
}
const ts = await startTestStack('pglite', [flows, exec, trials, light, segments, lightLoop, { iris, sweep }]);
try {
  for (const name of asked.length ? asked : Object.keys(SCENARIOS)) await SCENARIOS[name]?.(ts);
} finally {
  await ts.stop();
}
