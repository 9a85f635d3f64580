/**
 * Issue 11, defect 1: a run cancelled right after it was submitted stayed `pending`/`running` in
 * the metadata store while Temporal said CANCELLED. Property: whatever the delay between submit
 * and cancel (before the first bookkeeping activity, during it, during a task, during the exit
 * handler, after the end), once the workflow has closed the run row is final and agrees with
 * Temporal. Seeded (SLUICE_CANCEL_RACE_SEED), SLUICE_CANCEL_RACE_PAIRS pairs (20), delays 0–3 s
 * skewed towards 0; `npm run bench:cancel` runs the same race at scale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as controlFlow from '../fixtures/controlFlow';
import { quickWithExit } from '../fixtures/cancelRace';
import { raceDelays, runCancelRace, summarise } from '../support/cancelRace';
import { startTestStack, type TestStack } from '../support/stackHarness';

function intEnv(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a whole number ≥ 0, got "${process.env[name]}"`);
  return v;
}
const SEED = intEnv('SLUICE_CANCEL_RACE_SEED', 11);
const PAIRS = intEnv('SLUICE_CANCEL_RACE_PAIRS', 20);

describe('submit then cancel at random delays', () => {
  let ts: TestStack;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [controlFlow, { quickWithExit }]);
  }, 120_000);
  afterAll(async () => {
    await ts?.stop();
  });

  it(`leaves every run final and in agreement with Temporal (seed ${SEED}, ${PAIRS} pairs)`, async () => {
    const pairs = await runCancelRace(ts, quickWithExit, raceDelays(SEED, PAIRS));
    const stuck = pairs.filter((p) => !p.converged).map((p) => `run ${p.runId} (cancel after ${p.delayMs} ms): Temporal ${p.temporal}, row ${p.row}`);
    expect(stuck, `seed ${SEED}: ${summarise(pairs).join(', ')}`).toEqual([]);
    expect(pairs).toHaveLength(PAIRS);
  }, 300_000);
});
