/**
 * `npm run bench:queued-profile`: where a QUEUED step's CPU goes, in every thread of the benchmark
 * process. Run it under Node's `--cpu-prof` (one .cpuprofile per thread, the SDK's workflow thread
 * included), e.g.
 *
 *   NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/qprof --cpu-prof-interval 500" npm run bench:queued-profile -- --out /tmp/qprof
 *   npx tsx bench/threadProfiles.ts /tmp/qprof
 *
 * It runs, after warm-ups, a raw Temporal fan-out of --fanout W (1000) no-op activities, the Sluice
 * queued fan-out (`p.forEach` of the no-op), a raw chain of --chain N (50) and the Sluice queued
 * chain, --reps R (2) times each, alternating, and writes each run's window (monotonic clock, µs:
 * the profiles' own clock) with its wall and CPU time to <out>/windows.json, so that
 * bench/threadProfiles.ts can split each thread's samples by run.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chainPipeline, fanoutPipeline, items } from './support/pipelines';
import { cpuDuring, timeMethods } from './support/profile';
import { runSupervised } from './support/supervise';
import { intArg, startBenchStack } from './support/stack';

const chainN = intArg('chain', 50);
const fanoutW = intArg('fanout', 1000);
const reps = intArg('reps', 2);
const outIndex = process.argv.indexOf('--out');
const out = outIndex >= 0 ? (process.argv[outIndex + 1] ?? '.') : '.';

export interface ProfileWindow {
  label: string;
  /** Steps or items in the run. */
  n: number;
  startUs: number;
  endUs: number;
  ms: number;
  cpuSelfMs: number;
  cpuServerMs: number;
  /** CPU ms in the window of each OS thread of this process that used any, by "tid name" (main: the pid). */
  threads: Record<string, number>;
}

/** CPU ms so far of each OS thread of this process (Linux /proc; empty elsewhere), by "tid name". */
async function threadCpu(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const tids = await readdir('/proc/self/task').catch(() => [] as string[]);
  for (const tid of tids) {
    const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime (fields 14 and 15), in USER_HZ = 100 ticks a second.
    out.set(`${tid === String(process.pid) ? 'main' : tid} ${name}`, (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10);
  }
  return out;
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

async function main(): Promise<void> {
  const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`queued profile — ${new Date().toISOString()} — pid ${process.pid}, fan-out W=${fanoutW}, chain N=${chainN}, ${reps} reps; load ${load()}`);
  const bench = await startBenchStack({ raw: true });
  const windows: ProfileWindow[] = [];
  const timer = timeMethods(bench.stack.metadata);
  const timed = async (label: string, n: number, run: () => Promise<{ ms: number; status?: string }>): Promise<void> => {
    timer.reset();
    const before = await threadCpu();
    const startUs = nowUs();
    const { result, selfMs, childrenMs } = await cpuDuring(run);
    const endUs = nowUs();
    const threads: Record<string, number> = {};
    for (const [k, ms] of await threadCpu()) if (ms - (before.get(k) ?? 0) > 0) threads[k] = ms - (before.get(k) ?? 0);
    if (result.status && result.status !== 'succeeded') throw new Error(`${label} ended ${result.status}`);
    windows.push({ label, n, startUs, endUs, ms: result.ms, cpuSelfMs: selfMs, cpuServerMs: childrenMs, threads });
    const calls = Object.entries(timer.snapshot())
      .map(([k, t]) => `${k} ${(t.calls / n).toFixed(2)}×`)
      .join(', ');
    console.log(
      `  ${label}: ${result.ms.toFixed(0)} ms = ${(result.ms / n).toFixed(2)} ms/step, CPU ${(selfMs / n).toFixed(2)} ms/step here + ` +
        `${(childrenMs / n).toFixed(2)} in the dev server${calls ? `; metadata calls per step: ${calls}` : ''}`,
    );
    const busiest = Object.entries(threads).sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`    CPU by OS thread (ms/step): ${busiest.map(([k, ms]) => `${k} ${(ms / n).toFixed(2)}`).join(', ')}`);
  };
  try {
    // Warm-ups, full size: JIT, caches and PGlite in their steady state.
    await bench.runRaw('rawFanout', fanoutW);
    await bench.runSluice(fanoutPipeline, { xs: items(fanoutW) });
    await bench.runRaw('rawChain', chainN);
    await bench.runSluice(chainPipeline(chainN));
    for (let r = 0; r < reps; r++) {
      await timed('raw fan-out', fanoutW, () => bench.runRaw('rawFanout', fanoutW));
      await timed('sluice fan-out', fanoutW, () => bench.runSluice(fanoutPipeline, { xs: items(fanoutW) }));
    }
    for (let r = 0; r < reps; r++) {
      await timed('raw chain', chainN, () => bench.runRaw('rawChain', chainN));
      await timed('sluice chain', chainN, () => bench.runSluice(chainPipeline(chainN)));
    }
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'windows.json'), JSON.stringify({ pid: process.pid, load: os.loadavg(), windows }, null, 1));
    console.log(`windows written to ${path.join(out, 'windows.json')}; load ${load()}`);
  } finally {
    await bench.stop();
  }
}

runSupervised(async () => {
  await main();
  return true;
});
