/**
 * `npm run bench:tuning`: sample efficiency of Sluice's tuning algorithms against Optuna.
 *
 * Branin (2-d, minimum 0.397887) and Hartmann-6 (6-d on [0, 1]⁶, minimum −3.32237), --trials (60)
 * sequential trials × --seeds (20) seeds each, for Sluice's TPE and random search
 * (`engine/tuning`'s `suggest`, default settings) and Optuna's `TPESampler` (default settings;
 * Optuna from PyPI in a virtualenv that scripts/ensure-optuna.sh creates once; bench/tuning.py
 * runs every seed in one Python process). Prints the median and IQR of the best value found and
 * the median regret (best − minimum) per problem and sampler; the last line is always
 * `tuning regret ratio X` (Sluice TPE median regret ÷ Optuna TPE median regret, Branin).
 * Before that line, the study overhead: the wall time of a random study of 200 no-op trials at
 * parallelism 8 as a run on an in-memory Temporal dev server and PGlite, per trial, with the load
 * average (the issue's second figure).
 * Then TPE with trials run --parallel (8) at a time, with and without the constant liar, on Branin
 * (same trials and seeds; a simulated study: `suggestBatch` as the study's activity calls it, each
 * trial taking a seeded random 1–2 time units, the next suggested as soon as one ends).
 * Flags: --trials N, --seeds S, --parallel P; --overhead-trials N (200), --overhead-parallel P (8);
 * --overhead-only runs the overhead half alone (then its line is the last); --pipeline-trial also
 * measures the same study with the trial inside a one-task nested pipeline, right after it;
 * --parallel-only the parallel TPE rows alone.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Assignment, SearchSpace, TuneAlgorithm, TrialRecord } from '../dsl/ir/tuneSpace';
import { mulberry32 } from '../dsl/ir/random';
import { suggest, suggestBatch } from '../engine/tuning';
import type { AnyPipeline } from 'sluice/dsl';
import { pipelineTrialStudyPipeline, studyPipeline } from './support/pipelines';
import { startBenchStack } from './support/stack';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} takes a positive integer`);
  return v;
}

const H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
const H6_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];

interface Problem {
  name: 'branin' | 'hartmann6';
  label: string;
  space: SearchSpace;
  minimum: number;
  f: (a: Assignment) => number;
}

const PROBLEMS: Problem[] = [
  {
    name: 'branin',
    label: 'Branin',
    space: { x: { type: 'uniform', low: -5, high: 10 }, y: { type: 'uniform', low: 0, high: 15 } },
    minimum: 0.397887,
    f: (a) => {
      const x = a.x as number;
      const y = a.y as number;
      const b = 5.1 / (4 * Math.PI ** 2);
      const c = 5 / Math.PI;
      const t = 1 / (8 * Math.PI);
      return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * Math.cos(x) + 10;
    },
  },
  {
    name: 'hartmann6',
    label: 'Hartmann-6',
    space: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i}`, { type: 'uniform', low: 0, high: 1 } as const])),
    minimum: -3.32237,
    f: (a) => {
      let total = 0;
      for (let i = 0; i < 4; i++) {
        let inner = 0;
        for (let j = 0; j < 6; j++) inner += H6_A[i]![j]! * ((a[`x${j}`] as number) - H6_P[i]![j]!) ** 2;
        total += H6_ALPHA[i]! * Math.exp(-inner);
      }
      return -total;
    },
  },
];

function runSluice(problem: Problem, algorithm: TuneAlgorithm, seed: number, n: number): number {
  const trials: TrialRecord[] = [];
  for (let i = 0; i < n; i++) {
    const params = suggest({ space: problem.space, algorithm, objective: { metric: 'value', goal: 'minimize' }, trials, seed });
    if (!params) break;
    trials.push({ number: i, params, state: 'succeeded', value: problem.f(params), intermediate: [] });
  }
  return Math.min(...trials.map((t) => t.value!));
}

/**
 * A study of n trials, `parallel` at a time, simulated without Temporal: suggestions come in batches
 * as the study workflow asks for them (every free slot at once, the running trials in the history),
 * each trial takes a seeded random 1–2 time units, and the next is suggested when one ends.
 */
function runSluiceParallel(problem: Problem, algorithm: TuneAlgorithm, seed: number, n: number, parallel: number): number {
  const duration = mulberry32(seed + 1);
  const trials: TrialRecord[] = [];
  const ends = new Map<number, number>();
  let now = 0;
  while (trials.length < n || ends.size > 0) {
    const want = Math.min(parallel - ends.size, n - trials.length);
    if (want > 0) {
      for (const params of suggestBatch({ space: problem.space, algorithm, objective: { metric: 'value', goal: 'minimize' }, trials, seed }, want)) {
        if (!params) break;
        ends.set(trials.length, now + 1 + duration());
        trials.push({ number: trials.length, params, state: 'running', intermediate: [] });
      }
    }
    const [next, end] = [...ends].reduce((a, b) => (b[1] < a[1] ? b : a));
    ends.delete(next);
    now = end;
    const t = trials[next]!;
    trials[next] = { ...t, state: 'succeeded', value: problem.f(t.params) };
  }
  return Math.min(...trials.map((t) => t.value!));
}

/** Rows for TPE at `parallel` trials at once on Branin, with and without the constant liar. */
function parallelRows(trials: number, seeds: readonly number[], parallel: number): { rows: string[][]; timing: string[] } {
  const problem = PROBLEMS.find((p) => p.name === 'branin')!;
  const rows: string[][] = [];
  const timing: string[] = [];
  const results: [string, number[]][] = [];
  for (const [label, constantLiar] of [
    [`Sluice TPE ×${parallel}, liar`, true],
    [`Sluice TPE ×${parallel}, no liar`, false],
  ] as const) {
    const t0 = Date.now();
    results.push([label, seeds.map((s) => runSluiceParallel(problem, { name: 'tpe', constantLiar }, s, trials, parallel))]);
    timing.push(`${label} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const noLiar = results[1]![1];
  for (const [label, bests] of results) {
    const med = quantile(bests, 0.5);
    const wins = label.endsWith(', liar') ? `${bests.filter((b, i) => b < noLiar[i]!).length}/${seeds.length} vs no liar` : '';
    rows.push([problem.label, label, med.toFixed(4), `${quantile(bests, 0.25).toFixed(4)}–${quantile(bests, 0.75).toFixed(4)}`, (med - problem.minimum).toFixed(4), wins]);
  }
  return { rows, timing };
}

const TABLE_HEADER = ['problem', 'sampler', 'median best', 'IQR (q25–q75)', 'median regret', 'wins vs Optuna'];
function printTable(rows: string[][]): void {
  const widths = TABLE_HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(TABLE_HEADER));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** The q-quantile with linear interpolation (numpy's default). */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/**
 * The study-overhead half: a random study of `n` no-op trials, `parallel` at a time, as a run on
 * an in-memory Temporal dev server and PGlite (bench/support/stack.ts), after a warm-up study.
 * Returns the lines to print.
 */
async function studyOverhead(n: number, parallel: number, withPipelineTrial: boolean): Promise<string[]> {
  const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const bench = await startBenchStack({ raw: false });
  try {
    await bench.runSluice(studyPipeline(parallel * 2, parallel));
    const measure = async (what: string, p: AnyPipeline): Promise<string> => {
      const before = load();
      const run = await bench.runSluice(p);
      const trials = await bench.stack.metadata.listTuneTrials(run.runId);
      const succeeded = trials.filter((t) => t.state === 'succeeded').length;
      if (run.status !== 'succeeded' || succeeded !== n) throw new Error(`the overhead study ${run.runId} ended ${run.status} with ${succeeded}/${n} trials succeeded`);
      return (
        `study overhead${what}: ${n} no-op trials at parallelism ${parallel} on the Temporal dev server (in memory, PGlite): ` +
        `${(run.ms / 1000).toFixed(1)} s wall, ${(run.ms / n).toFixed(1)} ms per trial (submit to close, after a ${parallel * 2}-trial warm-up); ` +
        `load average ${before} before, ${load()} after, ${os.cpus().length} CPUs`
      );
    };
    const lines = [await measure('', studyPipeline(n, parallel))];
    // The same study with the trial inside a one-task nested pipeline, right after on the same stack:
    // the cost of a child workflow per trial.
    if (withPipelineTrial) {
      await bench.runSluice(pipelineTrialStudyPipeline(parallel * 2, parallel));
      lines.push(await measure(' (a nested pipeline as the trial)', pipelineTrialStudyPipeline(n, parallel)));
    }
    return lines;
  } finally {
    await bench.stop();
  }
}

async function main(): Promise<void> {
  const overheadOnly = process.argv.includes('--overhead-only');
  const overhead = (): Promise<string[]> => studyOverhead(flag('overhead-trials', 200), flag('overhead-parallel', 8), process.argv.includes('--pipeline-trial'));
  if (overheadOnly) {
    for (const l of await overhead()) console.log(l);
    return;
  }
  const trials = flag('trials', 60);
  const nSeeds = flag('seeds', 20);
  const seeds = Array.from({ length: nSeeds }, (_, i) => i);
  const parallel = flag('parallel', 8);
  if (process.argv.includes('--parallel-only')) {
    const p = parallelRows(trials, seeds, parallel);
    console.log(`${trials} trials × ${nSeeds} seeds, ${parallel} at a time (simulated study; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')})\n`);
    printTable(p.rows);
    console.log(`\nwall time: ${p.timing.join('; ')}`);
    return;
  }

  const python = execFileSync('bash', [path.join(root, 'scripts', 'ensure-optuna.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const optunaVersion = execFileSync(python, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8' }).trim();
  console.log(`${trials} trials × ${nSeeds} seeds per problem; Optuna ${optunaVersion} (TPESampler(seed=s), defaults); Sluice engine/tuning (defaults)\n`);

  let t0 = Date.now();
  const optuna = JSON.parse(
    execFileSync(python, [path.join(root, 'bench', 'tuning.py')], { input: JSON.stringify({ trials, seeds, problems: PROBLEMS.map((p) => p.name) }), encoding: 'utf8', maxBuffer: 1 << 24 }),
  ) as Record<Problem['name'], number[]>;
  const optunaMs = Date.now() - t0;

  const rows: string[][] = [];
  const timing: string[] = [`Optuna TPE ${(optunaMs / 1000).toFixed(1)} s (both problems, incl. Python start-up)`];
  let ratio = NaN;
  for (const problem of PROBLEMS) {
    const results: [string, number[]][] = [];
    for (const [label, algorithm] of [
      ['Sluice TPE', { name: 'tpe' }],
      ['Sluice random', { name: 'random' }],
    ] as const) {
      t0 = Date.now();
      results.push([label, seeds.map((s) => runSluice(problem, algorithm, s, trials))]);
      timing.push(`${label} ${problem.label} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    results.push(['Optuna TPE', optuna[problem.name]]);
    const optunaBest = optuna[problem.name];
    for (const [label, bests] of results) {
      const med = quantile(bests, 0.5);
      const wins = label === 'Optuna TPE' ? '' : `${bests.filter((b, i) => b < optunaBest[i]!).length}/${nSeeds}`;
      rows.push([problem.label, label, med.toFixed(4), `${quantile(bests, 0.25).toFixed(4)}–${quantile(bests, 0.75).toFixed(4)}`, (med - problem.minimum).toFixed(4), wins]);
    }
    if (problem.name === 'branin') ratio = (quantile(results[0]![1], 0.5) - problem.minimum) / (quantile(optunaBest, 0.5) - problem.minimum);
  }
  const par = parallelRows(trials, seeds, parallel);
  rows.push(...par.rows);
  timing.push(...par.timing);
  printTable(rows);
  console.log(`\nwall time: ${timing.join('; ')}`);
  console.log('');
  for (const l of await overhead()) console.log(l);
  console.log(`tuning regret ratio ${ratio.toFixed(3)}`);
}

await main();
