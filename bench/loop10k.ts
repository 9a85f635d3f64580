/**
 * `npm run bench:loop`: a 10,000-item loop of a no-op component through Sluice on the embedded
 * stack (in-memory Temporal dev server, PGlite). Prints the total time, items/s, the number of
 * child workflows and the largest workflow history; exits 1 unless the run succeeded, every item
 * was recorded as succeeded and every history stayed below 10,000 events.
 *
 * Also prints the peak RSS of this process (the workers and PGlite; the dev server is a child).
 *
 * Flags: --items N (10000; e.g. --items 100000), --local (the items as light steps,
 * `execution: 'local'`). Runs in a child process of itself (bench/support/supervise.ts).
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../engine/temporal/worker/workflowBundle';
import { activityRetries, describeTrouble, listWorkflowIds, runWorkflowHistories, workflowTaskTrouble } from './support/history';
import { fanoutPipeline, fanoutPipelineLocal, items } from './support/pipelines';
import { cpuDuring } from './support/profile';
import { flag, intArg, startBenchStack } from './support/stack';
import { runSupervised } from './support/supervise';

const MAX_EVENTS = 10_000;
const n = intArg('items', 10_000);
const pipeline = flag('local') ? fanoutPipelineLocal : fanoutPipeline;

async function main(): Promise<boolean> {
  const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`Sluice loop benchmark — ${new Date().toISOString()} — ${os.cpus().length} CPUs, Node ${process.version}, load average ${load()}`);
  const external = Boolean(process.env.TEMPORAL_ADDRESS); // read first: the bench stack takes it out of the environment
  const bench = await startBenchStack({ raw: false });
  const failures: string[] = [];
  try {
    const { client, metadata } = bench.stack;
    console.log(
      `${external ? 'Temporal server' : 'Temporal dev server'} ${bench.stack.temporalAddress}${external ? ' (TEMPORAL_ADDRESS)' : ' (in memory)'}, metadata on PGlite; one warm-up run of 10 items first`,
    );
    const warm = await bench.runSluice(pipeline, { xs: items(10) });
    if (warm.status !== 'succeeded') throw new Error(`warm-up run ${warm.runId} ended ${warm.status}`);

    // Progress every 15 s, so that a run that dies says how far it got.
    let progress: NodeJS.Timeout | undefined;
    const t0 = performance.now();
    const watch = (runId: string): void => {
      progress = setInterval(() => {
        // A count, not the rows: reading 100,000 rows from PGlite blocks the workers' thread for seconds.
        void metadata.countExecutionsByStatus([runId]).then((counts) => {
          const done = counts.get(runId)?.succeeded ?? 0;
          const s = (performance.now() - t0) / 1000;
          console.log(`  … ${s.toFixed(0)} s: ${done} of ${n} items done (${(done / s).toFixed(1)} items/s)`);
        });
      }, 15_000);
    };
    // Stalls of this process's event loop (where PGlite's queries and the workers' polls run): a
    // stall past the 10 s workflow task timeout times workflow tasks out.
    const loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
    const { result: run, selfMs, childrenMs } = await cpuDuring(() => bench.runSluice(pipeline, { xs: items(n) }, watch)).finally(() =>
      clearInterval(progress),
    );
    console.log(`run ${run.runId}: ${n} items${pipeline === fanoutPipelineLocal ? ' (light steps)' : ''}, ${run.status}`);
    // maxRSS is in KiB.
    console.log(`peak RSS of this process (workers, PGlite): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    console.log(`total ${(run.ms / 1000).toFixed(1)} s, ${(n / (run.ms / 1000)).toFixed(1)} items/s (${(run.ms / n).toFixed(2)} ms/item)`);
    loopDelay.disable();
    console.log(`event loop delay of this process: max ${(loopDelay.max / 1e9).toFixed(2)} s, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms`);
    console.log(`CPU: ${(selfMs / 1000).toFixed(1)} s in this process, ${(childrenMs / 1000).toFixed(1)} s in the dev server (load average after: ${load()})`);
    if (run.status !== 'succeeded') failures.push(`the run ended ${run.status}`);

    const done = await metadata.listLoopItems(run.runId, 'each', { status: 'succeeded' });
    const l0 = performance.now();
    const executions = await metadata.listExecutions(run.runId);
    console.log(`listExecutions of the run (${executions.length} rows, what the progress line read every 15 s before): ${((performance.now() - l0) / 1000).toFixed(2)} s`);
    const succeededExecutions = executions.filter((e) => e.status === 'succeeded').length;
    const rerunRows = executions.filter((e) => e.attempt > 1);
    const rerun = rerunRows.length;
    // Which ones, and when: an activity retry (a stalled worker missing its heartbeat, a failed write) or a batch replaying items.
    for (const e of rerunRows.slice(0, 5)) {
      console.log(`  attempt ${e.attempt}: ${e.taskId}, started ${e.startedAt.toISOString()}, finished ${e.finishedAt?.toISOString() ?? '-'}${e.error ? `, error ${e.error.slice(0, 200)}` : ''}`);
    }
    console.log(`metadata: ${done.length} loop items recorded succeeded, ${succeededExecutions} of ${executions.length} executions succeeded, ${rerun} with more than one attempt`);
    if (done.length !== n) failures.push(`${done.length} of ${n} loop items recorded as succeeded`);
    if (succeededExecutions !== n) failures.push(`${succeededExecutions} of ${n} executions succeeded`);

    const histories = await runWorkflowHistories(client, run.workflowId);
    const children = histories.filter((h) => h.workflowId !== run.workflowId);
    const largest = histories.reduce((a, b) => (b.events.length > a.events.length ? b : a));
    const root = histories.find((h) => h.workflowId === run.workflowId);
    const listed = await listWorkflowIds(client, run.workflowId);
    console.log(
      `workflows: 1 run workflow + ${new Set(children.map((h) => h.workflowId)).size} child workflows in ${children.length} runs` +
        (listed ? ` (visibility lists ${listed.length} workflow ids starting with ${run.workflowId})` : ' (visibility could not list them)'),
    );
    const childEvents = children.map((h) => h.events.length);
    console.log(
      `history events: run workflow ${root?.events.length ?? '?'}; child runs min ${Math.min(...childEvents)} / max ${Math.max(...childEvents)}; ` +
        `total ${histories.reduce((s, h) => s + h.events.length, 0)}`,
    );
    console.log(`largest history: ${largest.events.length} events (${(largest.bytes / 1024).toFixed(0)} KiB), ${largest.workflowId}`);
    const trouble = workflowTaskTrouble(histories);
    console.log(describeTrouble(trouble));
    // Why an activity ran more than once: the failure Temporal recorded for the attempt before.
    const retries = activityRetries(histories);
    console.log(`activities started more than once: ${retries.length}`);
    for (const r of retries.slice(0, 5)) {
      console.log(`  ${r.workflowId} activity ${r.activityId}: attempt ${r.attempt}, scheduled ${r.scheduledAt}, started ${r.startedAt}; before: ${r.lastFailure}`);
    }
    // What a workflow task that lost its sticky cache costs: a full replay of the largest batch's
    // history, here on an otherwise idle worker (a timed-out workflow task is retried this way).
    const batch = children.reduce((a, b) => (b.events.length > a.events.length ? b : a));
    const r0 = performance.now();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, { events: batch.events }, batch.workflowId);
    console.log(`full replay of the largest batch history (${batch.events.length} events): ${((performance.now() - r0) / 1000).toFixed(2)} s`);
    for (const h of histories) if (h.events.length >= MAX_EVENTS) failures.push(`${h.workflowId} has ${h.events.length} events (limit ${MAX_EVENTS})`);
  } finally {
    await bench.stop();
  }
  if (failures.length) console.log(`FAILED: ${failures.join('; ')}`);
  else console.log(`OK: run succeeded, every history below ${MAX_EVENTS} events`);
  return failures.length === 0;
}

runSupervised(main);
