/**
 * `npm run bench:interpreter`: does the workflow interpreter's work per task grow with the DAG's
 * size? Runs flat fans of `--small` (100) and `--large` (1000) no-op tasks (light steps: one
 * history, no task-queue noise) on the embedded stack, then replays each history in this thread
 * (workflow code only: no activities run in a replay), net of a one-task run's replay (the VM's
 * start-up), under the V8 sampling profiler. Prints the workflow CPU per task for both sizes and
 * the top functions of the large one; ends with `interpreter ms/task small X large Y`.
 */
import os from 'node:os';
import { Worker } from '@temporalio/worker';
import { pipeline, type AnyPipeline } from 'sluice/dsl';
import { workflowBundle } from '../engine/temporal/worker/workflowBundle';
import { fetchHistory, type WorkflowHistory } from './support/history';
import { noopLocal } from './support/pipelines';
import { profileDuring } from './support/profile';
import { intArg, startBenchStack } from './support/stack';
import { runSupervised } from './support/supervise';

const small = intArg('small', 100);
const large = intArg('large', 1000);
const f2 = (x: number): string => x.toFixed(3);

/** `n` light tasks that all read one root task: one scope of n nodes. */
function flatFan(n: number): AnyPipeline {
  return pipeline({ name: `bench-interp-fan-${n}` }, (p) => {
    const root = p.task(noopLocal, { x: 0 }, { id: 'root' });
    for (let i = 1; i < n; i++) p.task(noopLocal, { x: root.outputs.y }, { id: `t${i}` });
  });
}

async function main(): Promise<boolean> {
  const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`Sluice interpreter-cost benchmark — ${new Date().toISOString()} — ${os.cpus().length} CPUs, Node ${process.version}, load ${load()}`);
  const bench = await startBenchStack({ raw: false });
  try {
    const client = bench.stack.client;
    const histories: Record<string, WorkflowHistory> = {};
    for (const n of [1, small, large]) {
      const run = await bench.runSluice(flatFan(n));
      if (run.status !== 'succeeded') throw new Error(`the ${n}-task run ended ${run.status}`);
      histories[n] = await fetchHistory(client, run.workflowId);
      console.log(`flat fan of ${n} light tasks: ${run.ms.toFixed(0)} ms, history ${histories[n].events.length} events`);
    }
    const bundle = await workflowBundle();
    const replay = async (h: WorkflowHistory): Promise<number> => {
      const t0 = performance.now();
      await Worker.runReplayHistory({ workflowBundle: bundle }, { events: h.events }, h.workflowId);
      return performance.now() - t0;
    };
    // Twice each, the lower counts (a replay is deterministic work; the machine is shared).
    const best = async (h: WorkflowHistory): Promise<number> => Math.min(await replay(h), await replay(h));
    const fixed = await best(histories[1] as WorkflowHistory);
    const smallMs = ((await best(histories[small] as WorkflowHistory)) - fixed) / small;
    const { result: largeTotal, summary } = await profileDuring(() => best(histories[large] as WorkflowHistory));
    const largeMs = (largeTotal - fixed) / large;
    console.log(`replay (workflow code only), net of ${fixed.toFixed(1)} ms of replay start-up: ${small} tasks ${f2(smallMs)} ms/task, ${large} tasks ${f2(largeMs)} ms/task (load ${load()})`);
    console.log('top functions of the large replay (self ms per task):');
    for (const [fn, ms] of summary.functions.filter(([f]) => !f.startsWith('(idle)')).slice(0, 12)) console.log(`  ${f2(ms / large / 2).padStart(7)}  ${fn}`);
    console.log(`interpreter ms/task small ${f2(smallMs)} large ${f2(largeMs)}`);
    return true;
  } finally {
    await bench.stop();
  }
}

runSupervised(main);
