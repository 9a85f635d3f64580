/**
 * `npm run bench:overhead`: what Sluice adds on top of plain Temporal, on one in-memory dev server.
 *
 *   (a) a chain of N no-op tasks (each taking the previous one's output) vs a raw workflow running
 *       N sequential no-op activities;
 *   (b) a loop of W no-op items (`p.forEach`, default parallelism) vs a raw workflow running W
 *       no-op activities at once.
 *
 * Each case is warmed up once, then run --reps times (default 3), raw and Sluice alternating; the
 * median counts. Then (c) the same two cases with light steps (`execution: 'local'`: local
 * activities of the control worker), and the light fan-out with and without metrics reported by
 * each item (what they cost), then a breakdown of where Sluice's time per step goes. The
 * closing lines are the ratios (Sluice time / raw time) of light and queued steps, then (d) an
 * in-process baseline (the same no-op as plain function calls), and the last line is always
 * `chain ms/step X fanout ms/item Y`: light steps end to end (run time / steps, the run's fixed
 * start and finish included), the figures the issue's goals are about.
 *
 * TEMPORAL_ADDRESS runs it against that server instead of a dev server of its own (the real server on
 * PostgreSQL: `bash scripts/temporal-server.sh start` prints its address).
 *
 * --topology split: Sluice's workers are the production topology's three processes (`sluice worker
 * --queue control`, `sluice worker --queue cpu` ×2, bench/support/splitStack.ts) on PostgreSQL
 * instead of the embedded stack's in-process workers on PGlite; the raw worker stays in this process
 * and runs as many activities at once as the two CPU workers together. The breakdown (which profiles
 * this process) is left out there.
 *
 * Flags: --chain N (50), --fanout W (1000), --reps R (3), --no-profile, --topology embedded|split.
 * Runs in a child process of itself (bench/support/supervise.ts), so that a worker crash still ends
 * with the ratio line; the worker processes and the dev server are killed on every way out.
 */
import os from 'node:os';
import type { AnyPipeline } from 'sluice/dsl';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../engine/temporal/worker/workflowBundle';
import { executeTaskCost } from './support/executeTaskAlone';
import { chainBreakdown, fetchHistory, runWorkflowHistories, workflowTaskTrouble, type ChainBreakdown, type WorkflowHistory } from './support/history';
import { chainPipeline, fanoutPipeline, fanoutPipelineLocal, fanoutPipelineLocalMetrics, fanoutPipelineWith, items, METRICS_PER_STEP, noop } from './support/pipelines';
import { cpuDuring, profileDuring, timeMethods, type MethodTiming } from './support/profile';
import { exitChild, isBenchChild, sendToParent, superviseSelf } from './support/supervise';
import { flag, intArg, LOOP_BATCH_CONCURRENCY, median, SLUICE_CPU_CONCURRENCY, startBenchStack, topologyArg, type BenchStack } from './support/stack';

const chainN = intArg('chain', 50);
const fanoutW = intArg('fanout', 1000);
const reps = intArg('reps', 3);
const topology = topologyArg();
const split = topology === 'split';
const profile = !flag('no-profile') && !split;
/** This process's children whose CPU is counted: an external server is nobody's child. */
const children = [split ? 'workers' : '', process.env.TEMPORAL_ADDRESS ? '' : 'dev server'].filter(Boolean).join(', ') || 'none';

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);

interface Sample {
  ms: number;
  cpuSelfMs: number;
  cpuServerMs: number;
  workflowId: string;
  runId?: string;
  metadata?: Record<string, MethodTiming>;
}

async function main(): Promise<void> {
  const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`Sluice overhead benchmark — ${new Date().toISOString()} — ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}`);
  console.log(`chain N=${chainN}, fan-out W=${fanoutW}, ${reps} timed runs each (median), one warm-up each; load average ${load()}`);
  // TEMPORAL_ADDRESS: another server (the real one on PostgreSQL: bash scripts/temporal-server.sh start).
  const external = Boolean(process.env.TEMPORAL_ADDRESS); // read first: the bench stack takes it out of the environment
  const bench = await startBenchStack({ raw: true, topology });
  try {
    const where = external ? `Temporal server ${bench.stack.temporalAddress} (TEMPORAL_ADDRESS)` : `Temporal dev server ${bench.stack.temporalAddress} (in memory)`;
    if (bench.split) {
      console.log(`topology: split — ${where}; ${bench.split.describe()}`);
      console.log(
        `workers: maxConcurrentActivityTaskExecutions = ${SLUICE_CPU_CONCURRENCY} on each Sluice CPU worker process, ` +
          `${bench.rawConcurrency} on the raw worker (in the benchmark process); other worker options at SDK defaults on all`,
      );
      console.log(`load average with the workers started: ${load()}`);
    } else {
      console.log(`topology: embedded — ${where}, metadata on PGlite, Sluice's workers in this process`);
      console.log(
        `workers: maxConcurrentActivityTaskExecutions = ${SLUICE_CPU_CONCURRENCY} on both the raw worker and Sluice's CPU task worker ` +
          `(engine default); other worker options at SDK defaults on both`,
      );
    }
    // The metadata store's calls happen in this process only with the embedded stack.
    const timer = bench.split ? undefined : timeMethods(bench.stack.metadata);

    const sluice = async (run: () => ReturnType<BenchStack['runSluice']>): Promise<Sample> => {
      timer?.reset();
      const { result, selfMs, childrenMs } = await cpuDuring(run);
      if (result.status !== 'succeeded') throw new Error(`Sluice run ${result.runId} ended ${result.status}`);
      return { ms: result.ms, cpuSelfMs: selfMs, cpuServerMs: childrenMs, workflowId: result.workflowId, runId: result.runId, ...(timer ? { metadata: timer.snapshot() } : {}) };
    };
    const raw = async (run: () => ReturnType<BenchStack['runRaw']>): Promise<Sample> => {
      const { result, selfMs, childrenMs } = await cpuDuring(run);
      return { ms: result.ms, cpuSelfMs: selfMs, cpuServerMs: childrenMs, workflowId: result.workflowId };
    };

    // Warm-up: bundles loaded, workflow caches and PGlite warmed, code paths compiled.
    await raw(() => bench.runRaw('rawChain', 5));
    await sluice(() => bench.runSluice(chainPipeline(5)));
    await raw(() => bench.runRaw('rawFanout', 20));
    await sluice(() => bench.runSluice(fanoutPipeline, { xs: items(20) }));
    await sluice(() => bench.runSluice(chainPipeline(5, true)));
    await sluice(() => bench.runSluice(fanoutPipelineLocal, { xs: items(20) }));
    await sluice(() => bench.runSluice(fanoutPipelineLocalMetrics, { xs: items(20) }));

    const chain = chainPipeline(chainN);
    const chainRaw: Sample[] = [];
    const chainSluice: Sample[] = [];
    for (let r = 0; r < reps; r++) {
      chainRaw.push(await raw(() => bench.runRaw('rawChain', chainN)));
      chainSluice.push(await sluice(() => bench.runSluice(chain)));
    }
    console.log('');
    sendToParent({ chain: report(`(a) chain of ${chainN} no-op tasks`, chainN, chainRaw, chainSluice) });

    const fanRaw: Sample[] = [];
    const fanSluice: Sample[] = [];
    for (let r = 0; r < reps; r++) {
      fanRaw.push(await raw(() => bench.runRaw('rawFanout', fanoutW)));
      fanSluice.push(await sluice(() => bench.runSluice(fanoutPipeline, { xs: items(fanoutW) })));
    }
    sendToParent({ fanout: report(`(b) fan-out of ${fanoutW} no-op tasks`, fanoutW, fanRaw, fanSluice) });

    // (c) Light steps: the same pipelines with execution: 'local', against raw runs interleaved anew.
    const chainLocal = chainPipeline(chainN, true);
    const lightChainRaw: Sample[] = [];
    const lightChain: Sample[] = [];
    const lightFanRaw: Sample[] = [];
    const lightFan: Sample[] = [];
    for (let r = 0; r < reps; r++) {
      lightChainRaw.push(await raw(() => bench.runRaw('rawChain', chainN)));
      lightChain.push(await sluice(() => bench.runSluice(chainLocal)));
    }
    for (let r = 0; r < reps; r++) {
      lightFanRaw.push(await raw(() => bench.runRaw('rawFanout', fanoutW)));
      lightFan.push(await sluice(() => bench.runSluice(fanoutPipelineLocal, { xs: items(fanoutW) })));
    }
    sendToParent({ lightChain: report(`(c) light mode (execution: 'local'): chain of ${chainN} no-op tasks`, chainN, lightChainRaw, lightChain) });
    sendToParent({ lightFanout: report(`(c) light mode (execution: 'local'): fan-out of ${fanoutW} no-op tasks`, fanoutW, lightFanRaw, lightFan) });
    // Each light fan-out run: workflow tasks lost (their unrecorded local activities run again) and
    // items whose execution row counts more than one attempt.
    for (const run of lightFan) {
      const trouble = workflowTaskTrouble(await runWorkflowHistories(bench.stack.client, run.workflowId));
      const rerun = (await bench.stack.metadata.listExecutions(run.runId ?? '')).filter((e) => e.attempt > 1).length;
      console.log(
        `  light fan-out ${f1(run.ms)} ms: workflow tasks failed ${trouble.failed}, timed out ${trouble.timedOut}; items with more than one attempt: ${rerun}`,
      );
    }
    sendToParent({ lightChainMs: median(lightChain.map((x) => x.ms)) / chainN, lightFanoutMs: median(lightFan.map((x) => x.ms)) / fanoutW });
    await lightMetrics((pipeline) => sluice(() => bench.runSluice(pipeline, { xs: items(fanoutW) })));
    await inProcessBaseline();
    const lastLight = lightChain[lightChain.length - 1];
    if (lastLight) {
      const h = await fetchHistory(bench.stack.client, lastLight.workflowId);
      const calls = lastLight.metadata ? metadataPerStep(lastLight.metadata, chainN) : 'n/a (made in the worker processes)';
      console.log(`  light chain history: ${h.events.length} events / ${h.bytes} B; metadata store calls per step: ${calls}`);
    }
    console.log(`load average after the timed runs: ${load()}`);

    if (profile) await breakdown(bench, chainRaw, chainSluice, fanRaw, fanSluice);
    else if (split) console.log('(no breakdown with --topology split: it profiles workers in this process)');
  } finally {
    await bench.stop();
  }
}

/**
 * (c) What a light step's metrics cost: the light fan-out with and without METRICS_PER_STEP metrics
 * per item, interleaved (a grouped light step sends its metrics with its finish).
 */
async function lightMetrics(fanout: (pipeline: AnyPipeline) => Promise<Sample>): Promise<void> {
  const plain: Sample[] = [];
  const withMetrics: Sample[] = [];
  for (let r = 0; r < reps; r++) {
    plain.push(await fanout(fanoutPipelineLocal));
    withMetrics.push(await fanout(fanoutPipelineLocalMetrics));
  }
  const perItem = (xs: Sample[]): number => median(xs.map((x) => x.ms)) / fanoutW;
  const runs = (xs: Sample[]): string => xs.map((x) => f1(x.ms)).join(' / ');
  console.log(`(c) light fan-out of ${fanoutW}, each item reporting ${METRICS_PER_STEP} metrics, against the same without (interleaved)`);
  console.log(`  without: runs ${runs(plain)} ms → ${f2(perItem(plain))} ms/item; with: runs ${runs(withMetrics)} ms → ${f2(perItem(withMetrics))} ms/item`);
  // CPU tells more than wall time on a loaded machine: this process (workers, PGlite) + the dev server.
  const cpu = (xs: Sample[]): string => `${f2(median(xs.map((x) => x.cpuSelfMs)) / fanoutW)} + ${f2(median(xs.map((x) => x.cpuServerMs)) / fanoutW)}`;
  console.log(`  the metrics cost ${f2(perItem(withMetrics) - perItem(plain))} ms/item; CPU per item (this process + child processes): without ${cpu(plain)} ms, with ${cpu(withMetrics)} ms`);
  const last = withMetrics[withMetrics.length - 1];
  if (last?.metadata) console.log(`  metadata store calls per item, with metrics: ${metadataPerStep(last.metadata, fanoutW)}`);
}

/** (d) The same no-op component as plain function calls in this process: no durability at all. */
async function inProcessBaseline(): Promise<void> {
  const run = noop.run as unknown as (inputs: { x: number }) => { y: number } | Promise<{ y: number }>;
  const chainMs: number[] = [];
  const fanMs: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    let x = 0;
    for (let i = 0; i < chainN; i++) x = (await run({ x })).y;
    chainMs.push(performance.now() - t0);
    t0 = performance.now();
    await Promise.all(items(fanoutW).map(async (i) => run({ x: i })));
    fanMs.push(performance.now() - t0);
  }
  console.log('(d) in-process baseline (plain function calls of the same no-op, nothing recorded)');
  const us = (ms: number): string => `${(ms * 1000).toFixed(2)} µs`;
  console.log(`  chain: ${us(median(chainMs) / chainN)}/step; fan-out: ${us(median(fanMs) / fanoutW)}/item`);
}

function report(title: string, steps: number, raw: Sample[], sluice: Sample[]): number {
  const r = median(raw.map((s) => s.ms));
  const s = median(sluice.map((x) => x.ms));
  console.log(title);
  console.log(`  raw Temporal: runs ${raw.map((x) => f1(x.ms)).join(' / ')} ms → median ${f1(r)} ms = ${f2(r / steps)} ms/step`);
  console.log(`  Sluice:       runs ${sluice.map((x) => f1(x.ms)).join(' / ')} ms → median ${f1(s)} ms = ${f2(s / steps)} ms/step`);
  console.log(`  overhead:     ${f2((s - r) / steps)} ms/step; ratio ${f2(s / r)}`);
  const cpu = (xs: Sample[], k: 'cpuSelfMs' | 'cpuServerMs'): string => f2(median(xs.map((x) => x[k])) / steps);
  // Children: the dev server, and with --topology split the worker processes (an external server is nobody's child).
  console.log(
    `  CPU per step: raw ${cpu(raw, 'cpuSelfMs')} ms in this process + ${cpu(raw, 'cpuServerMs')} ms in child processes (${children}); ` +
      `Sluice ${cpu(sluice, 'cpuSelfMs')} ms + ${cpu(sluice, 'cpuServerMs')} ms`,
  );
  return s / r;
}

function printBreakdown(label: string, b: ChainBreakdown): void {
  console.log(
    `    ${label.padEnd(28)} ${b.steps} activities: queue ${f2(b.queueMs)} + in worker ${f2(b.runMs)} + workflow turn ${f2(b.turnMs)} ms ` +
      `(input ${Math.round(b.inputBytes)} B); its ${b.workflowTask.count} workflow tasks: dispatch ${f2(b.workflowTask.queueMs)} + ` +
      `worker ${f2(b.workflowTask.runMs)} ms`,
  );
}

function metadataPerStep(m: Record<string, MethodTiming> | undefined, steps: number): string {
  return Object.entries(m ?? {})
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([name, t]) => `${name} ${f2(t.calls / steps)}×/${f2(t.ms / steps)} ms`)
    .join(', ');
}

async function breakdown(bench: BenchStack, chainRaw: Sample[], chainSluice: Sample[], fanRaw: Sample[], fanSluice: Sample[]): Promise<void> {
  const client = bench.stack.client;
  console.log('');
  console.log('Where the time goes');
  const lastRaw = chainRaw[chainRaw.length - 1] as Sample;
  const lastSluice = chainSluice[chainSluice.length - 1] as Sample;
  const rawHistory = await fetchHistory(client, lastRaw.workflowId);
  const sluiceHistory = await fetchHistory(client, lastSluice.workflowId);
  // Diagnostic: the raw chain with its activities on a second task queue and worker, as Sluice has them.
  const split = await bench.runRaw('rawChainSplit', chainN);
  const splitHistory = await fetchHistory(client, split.workflowId);
  console.log(`  chain, per step, from the workflow histories (server timestamps, mean):`);
  printBreakdown('raw noop', chainBreakdown(rawHistory.events, 'noop'));
  printBreakdown('raw noop, activity queue apart', chainBreakdown(splitHistory.events, 'noop'));
  printBreakdown('Sluice executeTask', chainBreakdown(sluiceHistory.events, 'executeTask'));
  console.log(
    `    raw with the activities on a task queue of their own (like Sluice's <prefix>-cpu): ${f1(split.ms)} ms = ${f2(split.ms / chainN)} ms/step (one run)`,
  );
  console.log(
    `    history: raw ${rawHistory.events.length} events / ${rawHistory.bytes} B; Sluice ${sluiceHistory.events.length} events / ${sluiceHistory.bytes} B ` +
      `(markRunStarted + finishRun bookkeeping activities included)`,
  );
  console.log(`  metadata store calls per step (count×/summed ms), chain: ${metadataPerStep(lastSluice.metadata, chainN)}`);
  console.log(`  metadata store calls per item (count×/summed ms), fan-out: ${metadataPerStep(fanSluice[fanSluice.length - 1]?.metadata, fanoutW)}`);

  const runId = lastSluice.workflowId.replace(/^run-/, '');
  if (!bench.embedded) return;
  const alone = await executeTaskCost(bench.embedded, runId, 200);
  console.log(
    `  executeTask alone (mocked activity context, ${alone.calls} sequential calls): ${f2(alone.withStoreMs)} ms/call with PGlite, ` +
      `${f2(alone.withNullStoreMs)} ms/call with a no-op metadata store → metadata ≈ ${f2(alone.withStoreMs - alone.withNullStoreMs)} ms/call`,
  );

  const { result, summary } = await profileDuring(() => bench.runSluice(chainPipeline(chainN)));
  const busy = summary.areas.filter(([a]) => a !== '(idle)').reduce((n, [, ms]) => n + ms, 0);
  console.log(
    `  CPU profile of one more Sluice chain (${f1(result.ms)} ms; main thread only — workflow code runs in the SDK's workflow thread): ` +
      `${f2(busy / chainN)} ms busy per step`,
  );
  console.log(
    `    by area (ms/step): ${summary.areas
      .filter(([a]) => a !== '(idle)')
      .slice(0, 10)
      .map(([a, ms]) => `${a} ${f2(ms / chainN)}`)
      .join(', ')}`,
  );
  console.log('    top functions (self ms/step):');
  for (const [fn, ms] of summary.functions.filter(([f]) => !f.startsWith('(idle)')).slice(0, 12)) console.log(`      ${f2(ms / chainN).padStart(6)}  ${fn}`);

  // Fan-out: the workflow side. A raw workflow waiting for its activities the way loopBatch waits for
  // its items (one batch's worth) shows what that pattern costs on plain Temporal.
  const raceItems = Math.min(fanoutW, LOOP_BATCH_CONCURRENCY);
  const race = await bench.runRaw('rawFanoutRace', raceItems, '3 minutes').catch((e: unknown) => e as Error);
  if (race instanceof Error) {
    console.log(`  fan-out: raw written like loopBatch (${raceItems} items, all at once) did not finish: ${race.message}`);
  } else {
    console.log(
      `  fan-out: raw written like loopBatch (Promise.race over the running map after each completion; ${raceItems} items, all at once): ` +
        `${f1(race.ms)} ms = ${f2(race.ms / raceItems)} ms/item (one run) vs ${f2(median(fanRaw.map((x) => x.ms)) / fanoutW)} ms/item with Promise.all`,
    );
  }
  // The same fan-out with the loop's parallelism at 50: a batch then never has more than 100
  // activity events to buffer while one of its workflow tasks runs.
  const p50 = await bench.runSluice(fanoutPipelineWith(50), { xs: items(fanoutW) });
  const p50Trouble = workflowTaskTrouble(await runWorkflowHistories(client, p50.workflowId));
  console.log(
    `  fan-out with parallelism: 50 (one run): ${f1(p50.ms)} ms = ${f2(p50.ms / fanoutW)} ms/item, ${p50.status}; ` +
      `workflow tasks failed ${p50Trouble.failed}, timed out ${p50Trouble.timedOut}`,
  );
  // Replays measure the workflow code's CPU alone (replay workers run it in this thread). Last: that leaves
  // the SDK's promise hook installed in this thread.
  const replay = async (bundle: { code: string }, h: WorkflowHistory): Promise<number> => {
    const t0 = performance.now();
    await Worker.runReplayHistory({ workflowBundle: bundle }, { events: h.events }, h.workflowId);
    return performance.now() - t0;
  };
  const lastFan = fanSluice[fanSluice.length - 1] as Sample;
  const fanHistories = await runWorkflowHistories(client, lastFan.workflowId);
  const batches = fanHistories.filter((h) => h.workflowId !== lastFan.workflowId);
  const top = fanHistories.find((h) => h.workflowId === lastFan.workflowId) as WorkflowHistory;
  const batch = batches.reduce((a, b) => (b.events.length > a.events.length ? b : a));
  const trouble = workflowTaskTrouble(fanHistories);
  console.log(
    `  fan-out workflow tasks not completed (last Sluice run): ${trouble.failed} failed (${trouble.forceClosed} force-closed by the server: ` +
      `>100 events buffered during one long task, then a full replay), ${trouble.timedOut} timed out`,
  );
  // Items of that history (a batch continues as new every ~400 events, so a run holds part of a batch): its executeTask activities.
  const batchItems = Math.max(1, batch.events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'executeTask').length);
  const rawFanHistory = await fetchHistory(client, (fanRaw[fanRaw.length - 1] as Sample).workflowId);
  const raceHistory = race instanceof Error ? undefined : await fetchHistory(client, race.workflowId);
  const rawBundle = bench.rawBundle as { code: string };
  // Each replay starts a fresh VM: its fixed cost is measured on a near-empty history (the run
  // workflow of the fan-out; a one-step raw chain) and taken off.
  const sluiceBundle = await workflowBundle();
  const sluiceFixed = await replay(sluiceBundle, top);
  const rawFixed = await replay(rawBundle, await fetchHistory(client, (await bench.runRaw('rawChain', 1)).workflowId));
  const sluiceMs = (await replay(sluiceBundle, batch)) - sluiceFixed;
  const rawMs = (await replay(rawBundle, rawFanHistory)) - rawFixed;
  const raceMs = raceHistory ? (await replay(rawBundle, raceHistory)) - rawFixed : NaN;
  console.log(
    `  workflow code CPU (replaying the history in this thread, net of ${f1(sluiceFixed)} / ${f1(rawFixed)} ms of replay start-up): ` +
      `Sluice loopBatch ${f2(sluiceMs / batchItems)} ms/item ` +
      `(${batch.events.length} events, ~${batchItems} items); raw Promise.all ${f2(rawMs / fanoutW)} ms/item (${rawFanHistory.events.length} events); ` +
      (raceHistory ? `raw written like loopBatch ${f2(raceMs / raceItems)} ms/item (${raceHistory.events.length} events)` : ''),
  );
}

if (isBenchChild()) {
  main().then(
    () => exitChild(true),
    (e: unknown) => {
      console.error(e);
      exitChild(false);
    },
  );
} else {
  // The child prints everything but the last line, which is printed here from what it sent.
  superviseSelf(({ ok, died, messages }) => {
    const ratio = (key: string): string => {
      const v = messages.find((m) => typeof m[key] === 'number')?.[key] as number | undefined;
      return v === undefined ? 'n/a' : f2(v);
    };
    if (died) console.log(`FAILED: the benchmark process died (${died}); ratios it had not sent are n/a`);
    else if (!ok) console.log('FAILED: see the error above');
    console.log(`light mode (execution: 'local'): chain ratio ${ratio('lightChain')} fanout ratio ${ratio('lightFanout')}`);
    console.log(`chain ratio ${ratio('chain')} fanout ratio ${ratio('fanout')}`);
    console.log(`chain ms/step ${ratio('lightChainMs')} fanout ms/item ${ratio('lightFanoutMs')}`);
    process.exit(ok ? 0 : 1);
  });
}
