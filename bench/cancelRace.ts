/**
 * `npm run bench:cancel`: the submit-then-cancel race of issue 11 at scale. Submits --pairs runs
 * (100) of a ~0.5 s pipeline with an exit handler (test/fixtures/cancelRace.ts), cancels each
 * after a seeded random delay in [0, --max-delay ms] (3000, skewed towards 0), --concurrency at a
 * time (4), and checks, once each workflow has closed, that its run row is final and agrees with
 * Temporal — what the workflow wrote itself (the stack's reconciler is off). Then one reconciler
 * pass, and the count again. The last line is always `cancel race: X/N converged` (before the pass).
 *
 * Flags: --pairs N, --seed S (11), --max-delay MS, --concurrency C. In-memory Temporal dev server
 * and PGlite in a temp dir (test/support/stackHarness.ts).
 */
import os from 'node:os';
import * as controlFlow from '../test/fixtures/controlFlow';
import { quickWithExit } from '../test/fixtures/cancelRace';
import { reconcileRuns } from '../engine/runs/index';
import { EXPECTED_RUN_STATUS, raceDelays, runCancelRace, summarise, type RacePair } from '../test/support/cancelRace';
import { startTestStack } from '../test/support/stackHarness';
import { intArg } from './support/stack';

const pairs = intArg('pairs', 100);
const seed = intArg('seed', 11);
const maxDelay = intArg('max-delay', 3000);
const concurrency = intArg('concurrency', 4);

const BUCKETS = [50, 300, 1000, Infinity];

function byDelay(results: RacePair[]): string {
  let low = 0;
  return BUCKETS.map((high) => {
    const inBucket = results.filter((p) => p.delayMs >= low && p.delayMs < high);
    const label = high === Infinity ? `≥${low} ms` : `${low}–${high} ms`;
    low = high;
    return `${label}: ${inBucket.filter((p) => p.converged).length}/${inBucket.length}`;
  }).join(', ');
}

async function main(): Promise<number> {
  delete process.env.TEMPORAL_ADDRESS; // always a fresh in-memory dev server
  console.log(`cancel race benchmark — ${new Date().toISOString()} — ${os.cpus().length} CPUs, Node ${process.version}`);
  console.log(`${pairs} pairs, seed ${seed}, delays 0–${maxDelay} ms (skewed towards 0), ${concurrency} at a time`);
  const ts = await startTestStack('pglite', [controlFlow, { quickWithExit }], { reconcile: false });
  let converged = 0;
  try {
    const t0 = Date.now();
    const results = await runCancelRace(ts, quickWithExit, raceDelays(seed, pairs, maxDelay), concurrency);
    converged = results.filter((p) => p.converged).length;
    console.log(`took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`by Temporal outcome: ${summarise(results).join(', ')}`);
    console.log(`by cancel delay: ${byDelay(results)}`);
    const stuck = results.filter((p) => !p.converged);
    for (const p of stuck.slice(0, 10)) console.log(`  stuck: run ${p.runId} cancelled after ${p.delayMs} ms: Temporal ${p.temporal}, row ${p.row}`);
    if (stuck.length > 10) console.log(`  … and ${stuck.length - 10} more`);
    const pass = await reconcileRuns({ client: ts.stack.client, metadata: ts.stack.metadata });
    let after = 0;
    for (const p of results) if ((await ts.stack.metadata.getRun(p.runId))?.status === EXPECTED_RUN_STATUS[p.temporal]) after++;
    console.log(`after one reconciler pass (${pass.repaired.length} repaired): ${after}/${pairs} agree with Temporal`);
  } finally {
    await ts.stop();
  }
  console.log(`cancel race: ${converged}/${pairs} converged`);
  return converged === pairs ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    console.log(`cancel race: 0/${pairs} converged (the benchmark failed: ${(e as Error).message})`);
    process.exit(1);
  },
);
