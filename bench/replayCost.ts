/**
 * `npm run bench:replay-cost`: the workflow code's CPU per queued loop item, measured by replaying
 * a checked-in loop batch's histories (--history NAME, a folder of test/replay/histories: default
 * single-task-items, one 300-item batch of one queued step per item, in two or more runs, with the
 * loop-single-task-items patch; loop-segments is the same pipeline recorded before it) in this
 * thread, --reps R (5) times, with the current workflow bundle. The run workflow's own short
 * history, replayed as often, is taken off as the replays' fixed cost. A replay runs the same workflow code and the SDK's activation handling as a live worker
 * (gRPC and the server excepted), on any load, without a server: the quickest way to compare
 * workflow-side changes, and a determinism check (a replay that fails is a broken history).
 * --profile: also prints the top self-time functions of the replays (V8 sampling profiler).
 */
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../engine/temporal/worker/workflowBundle';
import { installQuietRuntime } from '../engine/temporal/worker/startWorkers';
import { profileDuring, type ProfileSummary } from './support/profile';
import { flag, intArg, median } from './support/stack';

const reps = intArg('reps', 5);
/** --history NAME: a folder of test/replay/histories holding one 300-item loop batch (its runs) and its run workflow. */
const historyIndex = process.argv.indexOf('--history');
const scenario = historyIndex >= 0 ? (process.argv[historyIndex + 1] ?? '') : 'single-task-items';
const DIR = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'test', 'replay', 'histories', scenario);
const ITEMS = 300;

async function main(): Promise<void> {
  installQuietRuntime();
  const bundle = await workflowBundle();
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.json')).sort();
  const read = async (f: string): Promise<{ workflowId: string; history: unknown }> =>
    JSON.parse(await readFile(path.join(DIR, f), 'utf8')) as { workflowId: string; history: unknown };
  const histories = await Promise.all(files.filter((f) => f.includes('_each_')).map(read));
  const fixed = await read(files.find((f) => !f.includes('_each_')) as string);
  const replayAll = async (): Promise<void> => {
    for (const h of histories) await Worker.runReplayHistory({ workflowBundle: bundle }, h.history, h.workflowId);
  };
  const replayFixed = async (): Promise<void> => {
    for (let k = 0; k < histories.length; k++) await Worker.runReplayHistory({ workflowBundle: bundle }, fixed.history, fixed.workflowId);
  };
  await replayAll(); // warm-up
  await replayFixed();
  // Promises created while replaying (all of them: the SDK's stack-trace hook pays for each one made in workflow context).
  const countPromises = async (fn: () => Promise<void>): Promise<number> => {
    let n = 0;
    const stop = v8.promiseHooks.onInit(() => {
      n++;
    }) as () => void;
    try {
      await fn();
    } finally {
      stop();
    }
    return n;
  };
  const batchPromises = await countPromises(replayAll);
  const fixedPromises = await countPromises(replayFixed);
  const promisesPerItem = (batchPromises - fixedPromises) / ITEMS;
  const cpu: number[] = [];
  const wall: number[] = [];
  const cpuNow = (): number => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const measure = async (): Promise<void> => {
    for (let r = 0; r < reps; r++) {
      let c0 = cpuNow();
      await replayFixed();
      const fixedCpu = cpuNow() - c0;
      c0 = cpuNow();
      const t0 = performance.now();
      await replayAll();
      wall.push(performance.now() - t0);
      cpu.push(cpuNow() - c0 - fixedCpu);
    }
  };
  let profiled: ProfileSummary | undefined;
  if (flag('profile')) profiled = (await profileDuring(measure)).summary;
  else await measure();
  console.log(
    `replay of the ${scenario} batch (${ITEMS} queued items, ${histories.length} runs), ${reps} reps, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}: ` +
      `CPU ${(median(cpu) / ITEMS).toFixed(3)} ms/item net of the replays' fixed cost (runs ${cpu.map((x) => (x / ITEMS).toFixed(3)).join(' / ')}), ` +
      `wall ${(median(wall) / ITEMS).toFixed(3)} ms/item gross; ${promisesPerItem.toFixed(1)} promises created per item`,
  );
  if (profiled) {
    const top = profiled.functions.filter(([k]) => !k.startsWith('(idle)')).slice(0, 30);
    for (const [k, ms] of top) console.log(`  ${(ms / reps / ITEMS).toFixed(4).padStart(8)}  ${k}`);
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
