/**
 * Submit-then-cancel race, shared by test/engine/cancelRace.test.ts and bench/cancelRace.ts: submit
 * a short run, wait a seeded random delay, cancel it, wait for the workflow to close, then compare
 * the run row with Temporal's word on the workflow. A closed workflow has run its last activity,
 * so the row must already be final and agree: no polling, no clocks in the verdict.
 */
import { mulberry32 } from '../../components/random';
import { WorkflowFailedError, type WorkflowExecutionStatusName } from '@temporalio/client';
import type { AnyPipeline } from '../../dsl/index';
import type { RunStatus } from '../../engine/stores/metadata/MetadataStore';
import type { TestStack } from './stackHarness';

/** The run status each closed Temporal workflow status must leave in the row. */
export const EXPECTED_RUN_STATUS: Partial<Record<WorkflowExecutionStatusName, RunStatus>> = {
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
};

export interface RacePair {
  index: number;
  delayMs: number;
  runId: string;
  /** Temporal's status of the closed workflow (COMPLETED, CANCELLED, …). */
  temporal: WorkflowExecutionStatusName;
  /** The run row's status right after the workflow closed. */
  row: RunStatus | 'missing';
  converged: boolean;
}


/**
 * Delays in [0, maxMs], skewed towards 0 (maxMs · u³): half fall within the first eighth of the
 * range, where a cancel meets the workflow's first bookkeeping activity and first task.
 */
export function raceDelays(seed: number, count: number, maxMs = 3000): number[] {
  const next = mulberry32(seed); // seeded, so a failing seed can be replayed
  return Array.from({ length: count }, () => Math.round(maxMs * next() ** 3));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function racePair(ts: TestStack, p: AnyPipeline, index: number, delayMs: number): Promise<RacePair> {
  const submitted = await ts.start(p);
  if (delayMs > 0) await sleep(delayMs);
  await submitted.handle.cancel();
  try {
    await submitted.handle.result();
  } catch (e) {
    if (!(e instanceof WorkflowFailedError)) throw e;
  }
  const temporal = (await submitted.handle.describe()).status.name;
  const row = (await ts.stack.metadata.getRun(submitted.runId))?.status ?? 'missing';
  return { index, delayMs, runId: submitted.runId, temporal, row, converged: EXPECTED_RUN_STATUS[temporal] === row };
}

/** Runs the pairs, `concurrency` at a time, in index order of their delays. */
export async function runCancelRace(ts: TestStack, p: AnyPipeline, delays: number[], concurrency = 4): Promise<RacePair[]> {
  const results: RacePair[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < delays.length; i = next++) results.push(await racePair(ts, p, i, delays[i] ?? 0));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, delays.length) }, lane));
  return results.sort((a, b) => a.index - b.index);
}

/** One line per Temporal outcome: "CANCELLED 14 (14 converged)". */
export function summarise(pairs: RacePair[]): string[] {
  const by = new Map<string, RacePair[]>();
  for (const p of pairs) by.set(p.temporal, [...(by.get(p.temporal) ?? []), p]);
  return [...by].map(([status, ps]) => `${status} ${ps.length} (${ps.filter((x) => x.converged).length} converged)`);
}
