/**
 * `npm run bench:large`: flat DAGs without loops (issue: a 10,000-task pipeline was accepted but
 * never started). Measures, in one process:
 *  1. compile + validate of a 10,000-task chain and fan (the validator used to be quadratic: 21 s);
 *  2. submission of both: refused before anything is written, naming the limit (MAX_NODES_PER_SCOPE);
 *  3. runs of flat pipelines at and below the limit on the embedded stack (in-memory Temporal dev
 *     server, PGlite), with each run's history size and any workflow task that failed or timed out.
 * Flags: --fan N (5000) --chain N (1000; the limit, 5000, takes ~6 min at ~70 ms a step here).
 * Ends with one line: `large DAG: …`.
 */
import os from 'node:os';
import { compile, PipelineValidationError, type AnyPipeline } from 'sluice/dsl';
import { MAX_NODES_PER_SCOPE } from '../dsl/ir/index';
import { fetchHistory, workflowTaskTrouble } from './support/history';
import { chainPipeline, flatFanPipeline } from './support/pipelines';
import { intArg, startBenchStack } from './support/stack';
import { runSupervised } from './support/supervise';

const fanN = intArg('fan', MAX_NODES_PER_SCOPE);
const chainN = intArg('chain', 1000);

function timeCompile(p: AnyPipeline): number {
  const t0 = performance.now();
  compile(p);
  return performance.now() - t0;
}

async function main(): Promise<boolean> {
  console.log(`Sluice large-DAG benchmark — ${new Date().toISOString()} — ${os.cpus().length} CPUs, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`);
  const failures: string[] = [];
  // 1. compile (twice each: the first includes the JIT warming up)
  const chain10k = chainPipeline(10_000);
  const fan10k = flatFanPipeline(10_000);
  const compileMs = { chain: [timeCompile(chain10k), timeCompile(chain10k)], fan: [timeCompile(fan10k), timeCompile(fan10k)] };
  console.log(`compile + validate, 10,000 tasks: chain ${compileMs.chain.map((x) => x.toFixed(0)).join(' / ')} ms, fan ${compileMs.fan.map((x) => x.toFixed(0)).join(' / ')} ms (first / second)`);
  const worstCompile = Math.max(...compileMs.chain, ...compileMs.fan);
  if (worstCompile >= 1000) failures.push(`compile took ${worstCompile.toFixed(0)} ms`);

  const bench = await startBenchStack({ raw: false });
  const results: string[] = [];
  try {
    // 2. refused at submission, nothing written
    for (const [name, p] of [['chain', chain10k], ['fan', fan10k]] as const) {
      const runsBefore = (await bench.stack.metadata.listRuns()).length;
      try {
        await bench.runSluice(p);
        failures.push(`the 10,000-task ${name} was accepted`);
      } catch (e) {
        if (!(e instanceof PipelineValidationError) || e.issues[0]?.code !== 'too-large') throw e;
        const runsAfter = (await bench.stack.metadata.listRuns()).length;
        console.log(`10,000-task ${name}: refused at submission (${runsAfter - runsBefore} runs written): ${e.issues[0].message}`);
        if (runsAfter !== runsBefore) failures.push(`the refused ${name} wrote a run`);
      }
    }
    // 3. runs at and below the limit
    for (const [name, p, n] of [['fan', flatFanPipeline(fanN), fanN], ['chain', chainPipeline(chainN), chainN]] as const) {
      const run = await bench.runSluice(p);
      const h = await fetchHistory(bench.stack.client, run.workflowId);
      const trouble = workflowTaskTrouble([h]);
      const executions = await bench.stack.metadata.listExecutions(run.runId);
      const ok = executions.filter((e) => e.status === 'succeeded').length;
      console.log(
        `${n}-task flat ${name}: ${run.status} in ${(run.ms / 1000).toFixed(1)} s (${(run.ms / n).toFixed(1)} ms/task); ${ok} executions succeeded; ` +
          `history ${h.events.length} events (${(h.bytes / 1024).toFixed(0)} KiB); workflow tasks failed ${trouble.failed}, timed out ${trouble.timedOut}`,
      );
      if (run.status !== 'succeeded' || ok !== n) failures.push(`the ${n}-task ${name} ended ${run.status} with ${ok} of ${n} succeeded`);
      results.push(`${n}-task fan`.replace('fan', name) + ` succeeded in ${(run.ms / 1000).toFixed(0)} s`);
    }
  } finally {
    await bench.stop();
  }
  if (failures.length) console.log(`FAILED: ${failures.join('; ')}`);
  console.log(
    `large DAG: 10,000-task chain and fan compile in ${Math.max(...compileMs.chain).toFixed(0)} / ${Math.max(...compileMs.fan).toFixed(0)} ms, are refused at submission (limit ${MAX_NODES_PER_SCOPE} tasks per scope); ${results.join(', ')}`,
  );
  return failures.length === 0;
}

runSupervised(main, 'before it finished');
