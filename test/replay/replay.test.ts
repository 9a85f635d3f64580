/**
 * Every checked-in history (test/replay/histories, recorded from real runs by recordHistories.ts)
 * must replay against the current workflow code: an interpreter change that would break runs
 * already in flight fails here. Guard intended behaviour changes with `patched()`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../../engine/temporal/worker/workflowBundle';
import { installQuietRuntime } from '../../engine/temporal/worker/startWorkers';

const DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'histories');

async function historyFiles(): Promise<string[]> {
  const entries = await readdir(DIR, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => path.join(e.parentPath, e.name)).sort();
}

describe('replay of recorded histories', async () => {
  const files = await historyFiles();

  it('has histories of every recorded scenario, parents and children', () => {
    const scenarios = new Set(files.map((f) => path.basename(path.dirname(f))));
    expect([...scenarios].sort()).toEqual(
      ['approved', 'branching', 'cached', 'cancel-before-start', 'cancel-early', 'cancelled', 'exit-after-failure', 'fan-out', 'iris', 'light-chain', 'light-chain-retry', 'light-item-groups', 'light-loop-capped', 'loop-segments', 'nested-loops', 'single-task-items', 'nested-pipeline', 'pipeline-trial', 'retried', 'rollout', 'sweep', 'sweep-bookkeeping-30s', 'tolerant-loop'].sort(),
    );
    expect(files.some((f) => f.includes('each'))).toBe(true); // loop batch children
  });

  it.each(files.map((f) => [path.relative(DIR, f), f]))('replays %s', async (_name, file) => {
    installQuietRuntime();
    const { workflowId, history } = JSON.parse(await readFile(file, 'utf8')) as { workflowId: string; history: unknown };
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
  });
});
