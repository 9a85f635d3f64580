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
import { listWorkflowIds, runWorkflowHistories, workflowTaskTrouble } from './support/history';
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
        void metadata.listExecutions(runId).then((rows) => {
          const done = rows.filter((r) => r.status === 'succeeded').length;
          const s = (performance.now() - t0) / 1000;
          console.log(`  … ${s.toFixed(0)} s: ${done} of ${n} items done (${(done / s).toFixed(1)} items/s)`);
        });
      }, 15_000);
    };
    const { result: run, selfMs, childrenMs } = await cpuDuring(() => bench.runSluice(pipeline, { xs: items(n) }, watch)).finally(() =>
      clearInterval(progress),
    );
    console.log(`run ${run.runId}: ${n} items${pipeline === fanoutPipelineLocal ? ' (light steps)' : ''}, ${run.status}`);
    // maxRSS is in KiB.
    console.log(`peak RSS of this process (workers, PGlite): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    console.log(`total ${(run.ms / 1000).toFixed(1)} s, ${(n / (run.ms / 1000)).toFixed(1)} items/s (${(run.ms / n).toFixed(2)} ms/item)`);
    console.log(`CPU: ${(selfMs / 1000).toFixed(1)} s in this process, ${(childrenMs / 1000).toFixed(1)} s in the dev server (load average after: ${load()})`);
    if (run.status !== 'succeeded') failures.push(`the run ended ${run.status}`);

    const done = await metadata.listLoopItems(run.runId, 'each', { status: 'succeeded' });
    const executions = await metadata.listExecutions(run.runId);
    const succeededExecutions = executions.filter((e) => e.status === 'succeeded').length;
    const rerun = executions.filter((e) => e.attempt > 1).length;
    console.log(`metadata: ${done.length} loop items recorded succeeded, ${succeededExecutions} of ${executions.length} executions succeeded, ${rerun} with more than one attempt`);
    if (done.length !== n) failures.push(`${done.length} of ${n} loop items recorded as succeeded`);
    if (succeededExecutions !== n) failures.push(`${succeededExecutions} of ${n} executions succeeded`);

    const histories = await runWorkflowHistories(client, run.workflowId);
    const children = histories.filter((h) => h.workflowId !== run.workflowId);
    const largest = histories.reduce((a, b) => (b.events.length > a.events.length ? b : a));
    const root = histories.find((h) => h.workflowId === run.workflowId);
    const listed = await listWorkflowIds(client, run.workflowId);
    console.log(
      `workflows: 1 run workflow + ${children.length} child workflows` +
        (listed ? ` (visibility lists ${listed.length} workflow ids starting with ${run.workflowId})` : ' (visibility could not list them)'),
    );
    const childEvents = children.map((h) => h.events.length);
    console.log(
      `history events: run workflow ${root?.events.length ?? '?'}; children min ${Math.min(...childEvents)} / max ${Math.max(...childEvents)}; ` +
        `total ${histories.reduce((s, h) => s + h.events.length, 0)}`,
    );
    console.log(`largest history: ${largest.events.length} events (${(largest.bytes / 1024).toFixed(0)} KiB), ${largest.workflowId}`);
    const trouble = workflowTaskTrouble(histories);
    console.log(
      `workflow tasks not completed: ${trouble.failed} failed (${trouble.forceClosed} force-closed by the server: >100 events buffered ` +
        `during one task), ${trouble.timedOut} timed out`,
    );
    // Where they were: the run's own workflow or its batches.
    const runTrouble = workflowTaskTrouble(histories.filter((h) => !h.workflowId.includes('/')));
    const worst = histories
      .map((h) => ({ id: h.workflowId, timedOut: workflowTaskTrouble([h]).timedOut }))
      .filter((h) => h.timedOut > 0)
      .sort((a, b) => b.timedOut - a.timedOut);
    if (trouble.timedOut > 0) {
      console.log(
        `  timed out in the run workflow: ${runTrouble.timedOut}; in ${worst.filter((w) => w.id.includes('/')).length} batches; most: ` +
          worst.slice(0, 3).map((w) => `${w.id} ${w.timedOut}`).join(', '),
      );
    }
    for (const h of histories) if (h.events.length >= MAX_EVENTS) failures.push(`${h.workflowId} has ${h.events.length} events (limit ${MAX_EVENTS})`);
  } finally {
    await bench.stop();
  }
  if (failures.length) console.log(`FAILED: ${failures.join('; ')}`);
  else console.log(`OK: run succeeded, every history below ${MAX_EVENTS} events`);
  return failures.length === 0;
}

runSupervised(main);
