/**
 * `npm run bench:light-profile`: where a light step's time goes. Runs a chain of --chain N (50)
 * light no-op steps --reps R (3) times on the bench stack (dev server or TEMPORAL_ADDRESS, PGlite),
 * interleaved with the raw Temporal chain, then CPU-profiles one more light chain (main thread: the
 * local activities, PGlite, the SDK's JS side; workflow code runs in the SDK's workflow thread) and
 * prints ms/step by area and the top functions. --fanout W: the same for a loop of W light items
 * (per item) instead of the chain.
 */
import os from 'node:os';
import { chainPipeline, fanoutPipelineLocal, items } from './support/pipelines';
import { cpuDuring, profileDuring, timeMethods } from './support/profile';
import { runSupervised } from './support/supervise';
import { intArg, median, startBenchStack } from './support/stack';

const chainN = intArg('chain', 50);
const reps = intArg('reps', 3);
const fanoutW = intArg('fanout', 0);
const f2 = (x: number): string => x.toFixed(2);

async function main(): Promise<void> {
  const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`light step profile — ${new Date().toISOString()} — chain N=${chainN}, ${reps} runs; load average ${load()}`);
  const bench = await startBenchStack({ raw: true });
  try {
    const fan = fanoutW > 0;
    const chain = fan ? fanoutPipelineLocal : chainPipeline(chainN, true);
    const args = fan ? { xs: items(fanoutW) } : undefined;
    const n = fan ? fanoutW : chainN;
    const what = fan ? 'item' : 'step';
    const rawKind = fan ? 'rawFanout' : 'rawChain';
    await bench.runRaw(rawKind, 5);
    await (fan ? bench.runSluice(chain, { xs: items(20) }) : bench.runSluice(chainPipeline(5, true)));
    const timer = timeMethods(bench.stack.metadata);
    const light: { ms: number; cpu: number }[] = [];
    const raw: number[] = [];
    for (let r = 0; r < reps; r++) {
      raw.push((await bench.runRaw(rawKind, n)).ms);
      const { result, selfMs } = await cpuDuring(() => bench.runSluice(chain, args));
      if (result.status !== 'succeeded') throw new Error(`run ${result.runId} ended ${result.status}`);
      light.push({ ms: result.ms, cpu: selfMs });
    }
    const m = median(light.map((x) => x.ms));
    console.log(
      `light ${fan ? 'fan-out' : 'chain'}: runs ${light.map((x) => x.ms.toFixed(0)).join(' / ')} ms → ${f2(m / n)} ms/${what}, worker CPU ${f2(median(light.map((x) => x.cpu)) / n)} ms/${what}; ` +
        `raw ${f2(median(raw) / n)} ms/${what} (ratio ${f2(m / median(raw))})`,
    );
    const calls = timer.snapshot();
    console.log(
      `  metadata calls per ${what}: ${Object.entries(calls)
        .map(([k, t]) => `${k} ${f2(t.calls / (reps * n))}×/${f2(t.ms / (reps * n))} ms`)
        .join(', ')}`,
    );
    const { result, summary } = await profileDuring(() => bench.runSluice(chain, args));
    const busy = summary.areas.filter(([a]) => a !== '(idle)').reduce((n, [, ms]) => n + ms, 0);
    console.log(`profiled run: ${result.ms.toFixed(0)} ms, main thread busy ${f2(busy / n)} ms/${what}`);
    console.log(`  by area (ms/${what}): ${summary.areas.filter(([a]) => a !== '(idle)').slice(0, 14).map(([a, ms]) => `${a} ${f2(ms / n)}`).join(', ')}`);
    console.log(`  top functions (self ms/${what}):`);
    for (const [fn, ms] of summary.functions.filter(([f]) => !f.startsWith('(idle)')).slice(0, 25)) console.log(`    ${f2(ms / n).padStart(6)}  ${fn}`);
    console.log(`load average after: ${load()}`);
  } finally {
    await bench.stop();
  }
}

runSupervised(async () => {
  await main();
  return true;
});
